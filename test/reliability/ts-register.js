/* Lets a child `node` run the TypeScript sources as they are (no build): each .ts file is transpiled on require. */
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, useDefineForClassFields: false },
  });
  module._compile(out.outputText, filename);
};
