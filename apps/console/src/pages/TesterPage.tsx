export function TesterPage() {
  return <h1>Tester</h1>;
}
