import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Built files are served by the engine host over HTTP and loaded by Electron
// from disk, so every URL is relative (`base: './'`).
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
});
