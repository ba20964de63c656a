// Validate a Teams app manifest against Microsoft's published JSON schema, offline.
//
//   node validate-manifest.js path/to/manifest.json
//
// Prints {"schema": <schema file>, "errors": [...]} as JSON on stdout. Exit code 0: valid,
// 1: schema errors, 2: usage or set-up problem (unreadable file, schema not bundled).
//
// The schema is loaded from @microsoft/app-manifest's bundled copies and handed to
// validateAgainstSchema explicitly: without it the library would download any schema it does not
// bundle (v1.18, for one), and these machines have no network.
'use strict';

const fs = require('fs');
const path = require('path');
const { AppManifestUtils } = require('@microsoft/app-manifest');

function fail(message) {
  process.stdout.write(JSON.stringify({ errors: [message], setup: true }) + '\n');
  process.exit(2);
}

function bundledSchemaPath(schemaUrl) {
  // https://developer.microsoft.com[/en-us]/json-schemas/teams/v1.30/MicrosoftTeams.schema.json
  const match = /^https:\/\/developer\.microsoft\.com\/(?:[a-z]{2}(?:-[a-z]{2})?\/)?(json-schemas\/teams\/[^?#]+)$/i
    .exec(schemaUrl || '');
  if (!match) return null;
  const buildDir = path.dirname(require.resolve('@microsoft/app-manifest'));
  const file = path.join(buildDir, match[1]);
  return fs.existsSync(file) ? file : null;
}

async function main() {
  const manifestPath = process.argv[2];
  if (!manifestPath) fail('usage: node validate-manifest.js MANIFEST.json');
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    fail(`cannot read ${manifestPath}: ${err.message}`);
  }
  const schemaFile = bundledSchemaPath(manifest.$schema);
  if (!schemaFile) {
    fail(`$schema ${JSON.stringify(manifest.$schema)} is not bundled with @microsoft/app-manifest; ` +
      'validating it would need the network');
  }
  const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
  const errors = await AppManifestUtils.validateAgainstSchema(manifest, schema);
  process.stdout.write(JSON.stringify({ schema: path.relative(process.cwd(), schemaFile), errors }) + '\n');
  process.exit(errors.length ? 1 : 0);
}

main().catch((err) => fail(`validator crashed: ${err.stack || err}`));
