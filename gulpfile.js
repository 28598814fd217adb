// Copies what tsc does not: node icons and codex files, Node-RED editor HTML, locales and icons, the phones page.
const { src, dest, parallel } = require('gulp');

const copy = (glob, base) => () => src(glob, { base, encoding: false, allowEmpty: true }).pipe(dest('dist'));

exports.build = parallel(
  copy(['nodes/**/*.{svg,png,json}', 'credentials/**/*.{svg,png}'], '.'),
  copy(['node-red/**/*.html', 'node-red/locales/**/*', 'node-red/icons/**/*'], '.'),
  // The simulator's phones page (plain HTML, CSS and script, served as files).
  copy(['simulator/web/static/**/*'], '.'),
);
exports.default = exports.build;
