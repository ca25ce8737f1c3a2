import { Link } from "react-router";

/** Any path the console does not know, and pages the session may not see. */
export function NotFoundPage() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        There is no such page here. <Link to="/">Back to the projects</Link>.
      </p>
    </>
  );
}
