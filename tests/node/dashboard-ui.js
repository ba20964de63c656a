// Drives the dashboard tab in headless Chromium as a person would, in two ways:
//   --mode local: the developer sign-in (local mode), then every page in each Teams theme
//   --mode sso:   Teams single sign-on, the token coming from the Teams host (getAuthToken)
// Teams itself is the host the tab runs in: this script stands in for it by answering the page's
// teams-js requests (Microsoft's CDN URL) with the real library, then handing the page a small host
// that reports the theme and the token.
// axe-core (WCAG 2.2 AA) runs on every page in every theme. Prints JSON lines; the last is
// {"event":"done", ...} or {"event":"failed", ...}. Run by tests/dashboard/test_browser.py.
//
//   DASHBOARD_TOKEN=... node dashboard-ui.js --url http://127.0.0.1:PORT --mode local|sso --out DIR \
//        [--person "Helen Carter"] [--chromium /usr/bin/chromium]
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const STEP_MS = 20_000;
const WATCHDOG_MS = 240_000;
const THEMES = ['default', 'dark', 'contrast'];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

function parseArgs(argv) {
  const args = { chromium: '/usr/bin/chromium', person: 'Helen Carter' };
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) throw new Error(`bad argument ${argv[i]}`);
    args[argv[i].slice(2)] = argv[i + 1];
  }
  for (const required of ['url', 'mode', 'out']) if (!args[required]) throw new Error(`--${required} is required`);
  return args;
}

function report(event, details = {}) {
  process.stdout.write(JSON.stringify({ event, ...details }) + '\n');
}

// The Teams host as the page's teams-js sees it: context (theme), theme changes, SSO token, links.
// The page loads the real teams-js (served below in the CDN's place, so Chromium checks its
// integrity hash); when the library assigns window.microsoftTeams, the page gets this host instead
// and window.__teamsJsLoaded says the library ran.
const HOST = `(() => {
  const host = {
    app: {
      initialize: async () => { window.__teamsReady = true; },
      isInitialized: () => window.__teamsReady === true,
      getContext: async () => ({ app: { theme: window.__teamsTheme || 'default', locale: 'en-GB' } }),
      registerOnThemeChangeHandler: (handler) => { window.__teamsThemeHandler = handler; },
      openLink: async (url) => { window.__teamsOpened = url; },
    },
    authentication: {
      getAuthToken: async () => { if (!window.__teamsToken) throw new Error('no token'); return window.__teamsToken; },
    },
    pages: { config: { registerOnSaveHandler: () => {}, setValidityState: () => {}, setConfig: async () => {} } },
  };
  Object.defineProperty(window, 'microsoftTeams', {
    configurable: true,
    get: () => (window.__teamsJsLoaded ? host : undefined),
    set: (library) => { window.__teamsJsLoaded = Boolean(library && library.app && library.authentication); },
  });
})();`;
const TEAMS_JS = fs.readFileSync(
  path.join(__dirname, 'node_modules', '@microsoft', 'teams-js', 'dist', 'umd', 'MicrosoftTeams.min.js'));

async function newPage(browser, args, { theme, width }) {
  const context = await browser.newContext({ viewport: { width: width || 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(String(error)));
  // Microsoft's CDN answers with CORS headers, which a crossorigin script with an integrity hash needs.
  // teams-js then asks the CDN for Teams' host origins (an empty list: the host here is the test's own).
  await page.route('https://res.cdn.office.net/**', (route) => route.fulfill(
    route.request().url().endsWith('/validDomains.json')
      ? { status: 200, contentType: 'application/json', body: '{"validOrigins":[]}', headers: { 'Access-Control-Allow-Origin': '*' } }
      : { status: 200, contentType: 'application/javascript', body: TEAMS_JS, headers: { 'Access-Control-Allow-Origin': '*' } }));
  await page.addInitScript(HOST);
  const token = process.env.DASHBOARD_TOKEN || '';
  await page.addInitScript(([chosen, bearer]) => {
    window.__teamsTheme = chosen;
    window.__teamsToken = bearer;
  }, [theme, token]);
  return { context, page, problems };
}

async function axe(page, source) {
  // Injected through DevTools, so the page's own Content-Security-Policy stays as served.
  await page.evaluate(source);
  return page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    window.__axePasses = result.passes.length;
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  }, AXE_TAGS);
}

async function signInLocally(page, args) {
  await page.goto(`${args.url}/tab/plan`);
  await page.waitForURL((url) => url.pathname === '/tab/sign-in');
  // Keyboard only: choose the person, submit.
  const select = page.getByLabel('Person of the plan');
  await select.focus();
  await select.selectOption({ label: await page.locator('#person option', { hasText: args.person }).first().textContent() });
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname === '/tab/plan');
}

async function runLocal(browser, args, axeSource) {
  const out = { pages: {}, violations: [], problems: [] };
  const pages = ['plan', 'my', 'figures', 'readiness', 'round', 'downloads', 'actions/PS-02'];
  for (const theme of THEMES) {
    const { context, page, problems } = await newPage(browser, args, { theme });
    await signInLocally(page, args);
    await page.waitForSelector(`html[data-theme="${theme}"]`);
    out.teamsJsLoaded = (out.teamsJsLoaded ?? true) && await page.evaluate(() => window.__teamsJsLoaded === true);
    if (theme === 'default') {
      // Filters by keyboard: RAG red, apply; the filter is in the URL.
      await page.getByLabel('RAG', { exact: true }).selectOption('red');
      await page.getByRole('button', { name: 'Apply filters' }).press('Enter');
      await page.waitForURL(/rag=red/);
      out.filteredRows = await page.locator('tbody tr').count();
      out.filteredRags = await page.locator('tbody .rag').allTextContents();
      // Open an action's history from the table.
      await page.getByRole('link', { name: 'PS-02' }).click();
      await page.waitForURL(/\/tab\/actions\/PS-02/);
      out.actionHeading = await page.locator('h1').textContent();
      out.actionUpdates = await page.locator('.updates > li').count();
      // The chart and its table: one dot per figure, each with its value to hover.
      await page.goto(`${args.url}/tab/figures`);
      const dols = page.locator('section', { has: page.locator('#m-dols-backlog') });
      out.chartPoints = await dols.locator('circle.point').count();
      out.tableRows = await dols.locator('tbody tr').count();
      await dols.locator('circle.point').last().hover();
      out.hoverTitle = await dols.locator('circle.point').last().locator('title').textContent();
      // Teams switches theme while the tab is open.
      await page.evaluate(() => window.__teamsThemeHandler('dark'));
      await page.waitForSelector('html[data-theme="dark"]');
      out.themeSwitched = true;
      await page.evaluate(() => window.__teamsThemeHandler('default'));
      await page.waitForSelector('html[data-theme="default"]');
      // Stretch actions still in the plan, by keyboard: the filters go into the URL, the marks are words.
      await page.goto(`${args.url}/tab/plan`);
      await page.getByLabel('Stretch only').press('Space');
      await page.getByLabel('Status', { exact: true }).selectOption('active');
      await page.getByRole('button', { name: 'Apply filters' }).press('Enter');
      await page.waitForURL(/stretch=1/);
      out.stretchQuery = new URL(page.url()).search;
      out.stretchRows = await page.locator('tbody tr').count();
      out.stretchMarks = await page.locator('tbody .flag-stretch').allTextContents();
      // Readiness: a pair of bars per statement, the same statements as the table beside it.
      await page.goto(`${args.url}/tab/readiness`);
      out.readinessBars = await page.locator('svg.score-chart rect.bar-cqc').count();
      out.readinessRows = await page.locator('.readiness-table tbody tr').count();
      out.readinessBarTitle = await page.locator('svg.score-chart g title').first().textContent();
    }
    for (const name of pages) {
      await page.goto(`${args.url}/tab/${name}`);
      await page.waitForSelector(`html[data-theme="${theme}"]`);
      const found = await axe(page, axeSource);
      for (const v of found) out.violations.push({ theme, page: name, ...v });
      out.pages[`${theme}:${name}`] = await page.title();
      out.axePasses = Math.min(out.axePasses || Infinity, await page.evaluate(() => window.__axePasses));
      if (theme === 'default' || name === 'plan' || name === 'figures' || name === 'readiness') {
        const file = `dashboard-${name.replace('/', '-')}${theme === 'default' ? '' : '-' + theme}.png`;
        // Full pages only where they are short; the others show what a person first sees.
        await page.screenshot({ path: path.join(args.out, file), fullPage: name.startsWith('actions/') || name === 'round' || (name === 'readiness' && theme === 'default') });
      }
    }
    out.problems.push(...problems.map((p) => `${theme}: ${p}`));
    await context.close();
  }
  // A phone's width (Teams mobile): the plan still fits, tables scroll inside their region.
  const { context, page } = await newPage(browser, args, { theme: 'default', width: 390 });
  await signInLocally(page, args);
  out.phoneOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  out.phoneWidest = await page.evaluate(() => [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.scroll'))
    .slice(0, 5).map((e) => e.tagName + '.' + e.className));
  const phoneViolations = await axe(page, axeSource);
  for (const v of phoneViolations) out.violations.push({ theme: 'phone', page: 'plan', ...v });
  await page.screenshot({ path: path.join(args.out, 'dashboard-plan-phone.png') });
  await context.close();
  return out;
}

async function runSso(browser, args, axeSource) {
  const { context, page, problems } = await newPage(browser, args, { theme: 'contrast' });
  await page.goto(`${args.url}/tab/my`);
  // The server answers 401 with the sign-in page; its script gets the token from Teams, posts it
  // and reloads, signed in.
  await page.waitForSelector('h1:has-text("My actions")');
  await page.waitForSelector('html[data-theme="contrast"]');
  const out = {
    heading: await page.locator('h1').textContent(),
    who: await page.locator('.who span').textContent(),
    rows: await page.locator('.cards > li').count(),
    teamsJsLoaded: await page.evaluate(() => window.__teamsJsLoaded === true),
    violations: await axe(page, axeSource),
    problems,
  };
  // The chat link opens through the Teams host, not inside the tab's frame.
  const link = page.locator('a[data-teams-link]').first();
  if (await link.count()) {
    await link.click();
    out.opened = await page.evaluate(() => window.__teamsOpened || null);
  }
  await context.close();
  return out;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  fs.mkdirSync(args.out, { recursive: true });
  const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const watchdog = setTimeout(() => { report('failed', { error: 'watchdog' }); process.exit(3); }, WATCHDOG_MS);
  const browser = await chromium.launch({ executablePath: args.chromium, args: CHROMIUM_ARGS, headless: true });
  try {
    const result = args.mode === 'sso' ? await runSso(browser, args, axeSource) : await runLocal(browser, args, axeSource);
    report('done', result);
  } catch (error) {
    report('failed', { error: String(error && error.stack ? error.stack : error) });
    process.exitCode = 1;
  } finally {
    await browser.close();
    clearTimeout(watchdog);
  }
}

main();
