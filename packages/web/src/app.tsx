export function App() {
  return <h1>msct</h1>;
}
