// The one webpack config of every app: Nx's Node app plugin, compiled by swc
// with the workspace's .swcrc (ES2022, decorator metadata). Nx's swc rule has
// no target of its own, so swc would fall back to ES5, and an ES5 class cannot
// extend a native one (the libs'); we hand it our .swcrc instead.
'use strict';

const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');

const swcrc = JSON.parse(readFileSync(join(__dirname, '../../.swcrc'), 'utf8'));
delete swcrc.$schema;

class UseWorkspaceSwcrc {
  apply(compiler) {
    compiler.hooks.afterEnvironment.tap('UseWorkspaceSwcrc', () => {
      for (const rule of compiler.options.module.rules) {
        if (rule && typeof rule.loader === 'string' && rule.loader.includes('swc-loader')) {
          rule.options = { ...swcrc, swcrc: false, module: { type: 'es6' } };
        }
      }
    });
  }
}

module.exports = function appWebpackConfig(name, projectDir) {
  return {
    output: { path: join(projectDir, '../../dist/apps', name) },
    devtool: 'source-map',
    // Interfaces named in decorated signatures (RequestContext, …) are erased
    // types; swc still looks them up for design:paramtypes and finds nothing.
    ignoreWarnings: [/export '\w+' \(imported as '\w+'\) was not found in '@smartbeak\//],
    plugins: [
      new NxAppWebpackPlugin({
        target: 'node',
        compiler: 'swc',
        main: './src/main.ts',
        tsConfig: './tsconfig.app.json',
        optimization: false,
        outputHashing: 'none',
        generatePackageJson: true,
        sourceMap: true,
        // Type-checked once by the app's `typecheck` target (tsc), not again inside webpack.
        skipTypeChecking: true,
      }),
      new UseWorkspaceSwcrc(),
    ],
  };
};
