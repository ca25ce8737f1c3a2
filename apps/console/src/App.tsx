import { NavLink, Route, Routes, useParams } from "react-router";
import { useSession } from "./api/session.js";
import { AuditPage } from "./pages/AuditPage.js";
import { FleetPage } from "./pages/FleetPage.js";
import { NotFoundPage } from "./pages/NotFoundPage.js";
import { ProjectPage } from "./pages/ProjectPage.js";
import { ProjectsPage } from "./pages/ProjectsPage.js";
import { TesterPage } from "./pages/TesterPage.js";
import { TokensPage } from "./pages/TokensPage.js";
import { RulesPage } from "./rules/RulesPage.js";

/** The signed-in layout: header (who, role, sign out), navigation, and the page. */
export function App() {
  const { unscoped, role } = useSession();
  // What the API lets each see (docs/decisions.md): tokens are an unscoped admin's; the audit
  // log spans every project, so it is for unscoped admins and viewers (not editors).
  const tokens = unscoped && role === "ADMIN";
  const audit = unscoped && role !== "EDITOR";
  return (
    <div className="layout">
      <Header />
      <nav className="nav" aria-label="Main">
        <ul>
          <li>
            <NavLink to="/" end>
              Projects
            </NavLink>
          </li>
          <li>
            <NavLink to="/tester">Request tester</NavLink>
          </li>
          <li>
            <NavLink to="/fleet">Fleet</NavLink>
          </li>
          {audit && (
            <li>
              <NavLink to="/audit">Audit log</NavLink>
            </li>
          )}
          {tokens && (
            <li>
              <NavLink to="/tokens">API tokens</NavLink>
            </li>
          )}
        </ul>
      </nav>
      <main className="main" id="main">
        <Routes>
          <Route path="/" element={<ProjectsPage />} />
          <Route path="/projects/:projectId" element={<ProjectPage />} />
          <Route path="/projects/:projectId/rules" element={<RulesRoute />} />
          <Route path="/tester" element={<TesterPage />} />
          <Route path="/fleet" element={<FleetPage />} />
          <Route path="/audit" element={audit ? <AuditPage /> : <NotFoundPage />} />
          <Route path="/tokens" element={tokens ? <TokensPage /> : <NotFoundPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </main>
    </div>
  );
}

function Header() {
  const { actor, role, signOut } = useSession();
  return (
    <header className="header">
      <p className="brand">Switchyard</p>
      <div className="who">
        <span data-testid="session-actor">{actor}</span>{" "}
        <span className="role" data-testid="session-role">
          {role}
        </span>
        <button type="button" className="sign-out" onClick={() => void signOut()}>
          Sign out
        </button>
      </div>
    </header>
  );
}

function RulesRoute() {
  const { projectId = "" } = useParams();
  return <RulesPage projectId={projectId} />;
}
