// Bundles src/widget.js into dist/widget.js: one self-contained file (its CSS minified and injected
// into the widget's shadow root), no external font, no CDN.
import { readFile } from "node:fs/promises";
import { build, transform } from "esbuild";

const cssAsText = {
  name: "css-as-text",
  setup(b) {
    b.onLoad({ filter: /\.css$/ }, async (args) => {
      const { code } = await transform(await readFile(args.path, "utf8"), { loader: "css", minify: true });
      return { contents: code, loader: "text" };
    });
  },
};

await build({
  entryPoints: ["src/widget.js"],
  outfile: "dist/widget.js",
  bundle: true,
  minify: true,
  sourcemap: true,
  format: "iife",
  target: ["es2019", "safari13", "chrome80", "firefox78"],
  plugins: [cssAsText],
  legalComments: "eof",
  logLevel: "info",
});
