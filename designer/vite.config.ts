import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root,
  base: '/',
  build: {
    outDir: path.join(root, 'dist'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    sourcemap: false,
  },
  server: {
    // `npm run designer:dev` proxies the API to a running `npm start`.
    proxy: { '/api': `http://localhost:${process.env.API_PORT ?? 3000}` },
    fs: { allow: [path.join(root, '..')] },
  },
});
