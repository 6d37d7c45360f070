// `import.meta.glob`, which Vite (and vitest) replace at build time; declared here because the web
// package's tsconfig loads no ambient types (`"types": []`).
interface ImportMeta {
  glob<T>(pattern: string, options: { eager: true; import: 'default' }): Record<string, T>;
}
