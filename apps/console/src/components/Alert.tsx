import { Code, ConnectError } from "@connectrpc/connect";
import { errorMessage } from "../api/errors.js";

/** A failed load, said plainly: not found and permission denied get their own words. */
export function LoadError({ error, what }: { error: unknown; what: string }) {
  const code = error instanceof ConnectError ? error.code : undefined;
  let text = `Could not load the ${what}: ${errorMessage(error)}`;
  if (code === Code.NotFound) text = `No such ${what}.`;
  if (code === Code.PermissionDenied) text = `You may not see this ${what}: ${errorMessage(error)}`;
  return (
    <p className="form-errors" role="alert">
      {text}
    </p>
  );
}
