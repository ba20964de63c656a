// Checks a web page for WCAG 2.2 A and AA problems with axe-core, in headless Chromium, in the light
// and dark colour schemes and with forced colours (Windows high contrast).
// Prints one JSON object: {"<scheme>": [{id, impact, help, nodes: [target…]}…], …}. Exit code 0 when
// it ran (whatever it found), 1 when it could not.
//
//   node axe-page.js --url file:///…/report.html [--chromium /usr/bin/chromium]
'use strict';

const fs = require('fs');
const { chromium } = require('playwright-core');

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const SCHEMES = {
  light: { colorScheme: 'light', forcedColors: 'none' },
  dark: { colorScheme: 'dark', forcedColors: 'none' },
  'high-contrast': { colorScheme: 'dark', forcedColors: 'active' },
};

function parseArgs(argv) {
  const args = { chromium: '/usr/bin/chromium' };
  for (let i = 0; i < argv.length; i += 2) args[argv[i].replace(/^--/, '')] = argv[i + 1];
  if (!args.url) throw new Error('--url is required');
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const browser = await chromium.launch({ executablePath: args.chromium, headless: true, args: CHROMIUM_ARGS });
  const found = {};
  try {
    for (const [name, media] of Object.entries(SCHEMES)) {
      const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
      await page.emulateMedia(media);
      await page.goto(args.url, { waitUntil: 'load' });
      await page.addScriptTag({ content: axeSource });
      const result = await page.evaluate(
        (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), TAGS);
      found[name] = result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')),
      }));
      await page.close();
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(found) + '\n');
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack || error) + '\n');
  process.exit(1);
});
