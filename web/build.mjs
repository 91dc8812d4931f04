// Bundles src/widget.js into dist/widget.js: one self-contained file (its CSS minified and injected
// into the widget's shadow root), no external font, no CDN.
import { readFile } from "node:fs/promises";
import { build, transform } from "esbuild";

// The centre's phone number, from its one place (a flat file: `telephone: "…"` on one line).
async function centrePhone() {
  const text = await readFile(new URL("../config/centre.yml", import.meta.url), "utf8");
  const match = text.match(/^telephone:\s*"([^"]+)"\s*$/m);
  if (!match) throw new Error('config/centre.yml : ligne telephone: "…" introuvable');
  return match[1];
}

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
  define: { __CENTRE_PHONE__: JSON.stringify(await centrePhone()) },
  legalComments: "eof",
  logLevel: "info",
});
