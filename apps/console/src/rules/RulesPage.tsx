/** A project's rules per scope (project and each alias). */
export function RulesPage({ projectId }: { projectId: string }) {
  return <h1>Rules of {projectId}</h1>;
}
