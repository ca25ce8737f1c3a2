import { TransportProvider } from "@connectrpc/connect-query";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
} from "react";
import { SignIn } from "../pages/SignIn.js";
import { deleteSession, fetchSession, type RoleName, type SessionInfo } from "./session-api.js";
import { createConsoleTransport } from "./transport.js";

/** What the pages know about who is signed in. */
export interface Session {
  actor: string;
  role: RoleName;
  /** Projects a scoped token may see; empty for an unscoped token. */
  projectIds: string[];
  /** False for a viewer: offer no create, edit, delete, reorder or enable controls. */
  canEdit: boolean;
  /** True when the token is not limited to some projects: it may create projects and, unless an
   * editor, read the audit log. */
  unscoped: boolean;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | undefined>(undefined);

/** The signed-in session; only valid under {@link SessionProvider}. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === undefined) throw new Error("useSession outside SessionProvider");
  return session;
}

type State =
  | { kind: "loading" }
  | { kind: "signed-out"; notice?: string }
  | { kind: "signed-in"; info: SessionInfo };

/**
 * Asks the control plane who is signed in and renders the sign-in screen until someone is.
 * Its children get the session, the Connect transport and a query cache; a call that fails
 * with Unauthenticated (the session expired) brings the sign-in screen back.
 */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ kind: "loading" });
  const [loadError, setLoadError] = useState<string>();
  const queryClient = useMemo(
    () =>
      new QueryClient({
        defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } },
      }),
    [],
  );

  useEffect(() => {
    fetchSession().then(
      (info) => setState(info ? { kind: "signed-in", info } : { kind: "signed-out" }),
      (error: unknown) => setLoadError(String(error instanceof Error ? error.message : error)),
    );
  }, []);

  const expire = useCallback(() => {
    queryClient.clear();
    setState({ kind: "signed-out", notice: "Your session has ended. Sign in again." });
  }, [queryClient]);
  const transport = useMemo(() => createConsoleTransport(expire), [expire]);

  const signOut = useCallback(async () => {
    await deleteSession();
    queryClient.clear();
    setState({ kind: "signed-out" });
  }, [queryClient]);

  const session = useMemo<Session | undefined>(() => {
    if (state.kind !== "signed-in") return undefined;
    const { actor, role, projectIds } = state.info;
    return {
      actor,
      role,
      projectIds,
      canEdit: role !== "VIEWER",
      unscoped: projectIds.length === 0,
      signOut,
    };
  }, [state, signOut]);

  if (loadError !== undefined) {
    return (
      <main className="centered">
        <h1>Switchyard console</h1>
        <p role="alert">Could not reach the control plane: {loadError}</p>
      </main>
    );
  }
  if (state.kind === "loading") {
    return (
      <main className="centered" aria-busy="true">
        <p>Loading…</p>
      </main>
    );
  }
  if (session === undefined) {
    const notice = state.kind === "signed-out" ? state.notice : undefined;
    return <SignIn notice={notice} onSignedIn={(info) => setState({ kind: "signed-in", info })} />;
  }
  return (
    <SessionContext.Provider value={session}>
      <TransportProvider transport={transport}>
        <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
      </TransportProvider>
    </SessionContext.Provider>
  );
}
