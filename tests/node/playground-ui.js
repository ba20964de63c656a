// Drives the Microsoft 365 Agents Playground's web UI (v0.2.28) in headless Chromium, as a person would:
// open the personal chat (the Playground installs the app), type `help`, wait for the monthly prompt card,
// fill it in, press Submit (Action.Execute), see the receipt replace the card, press Edit, then type
// `digest MONTH` (the test makes her a plan admin, who may preview it as the chair does) and see the digest.
// Saves the prompt card, the receipt and the digest as PNGs.
//
// Run by tests/playground/test_playground_ui.py. Progress goes to stdout as JSON lines
// ({"event": ...}); the test waits for {"event":"waiting-for-prompt"}, sends the prompts with the
// `cqcbot` CLI, then waits for {"event":"done"} or {"event":"failed"}. Exit code 0 only when done.
//
//   node playground-ui.js --url http://127.0.0.1:PORT --out DIR --work DIR --ref SAF-03 \
//        --month "December 2026" --owner "Joanne Kelly" --help-text "Things you can type here" \
//        [--chromium /usr/bin/chromium]
'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const STEP_MS = 30_000; // one reply from the bot, rendered
const PROMPT_MS = 400_000; // the prompt: waits for the test's `cqcbot cycle open` + `cqcbot deliver`
const WATCHDOG_MS = 600_000; // the whole run, whatever happens
const HEADER_PX = 24; // the sender name and time above a message
const AVATAR_PX = 50; // the bot's avatar left of a message
const MARGIN_PX = 12;

// Flags seen to work for Debian's chromium in containers without a GPU or network (the README's Playground section).
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function parseArgs(argv) {
  const args = { chromium: '/usr/bin/chromium' };
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) throw new Error(`bad argument ${argv[i]}`);
    args[argv[i].slice(2)] = argv[i + 1];
  }
  for (const required of ['url', 'out', 'work', 'ref', 'month', 'owner', 'help-text']) {
    if (!args[required]) throw new Error(`--${required} is required`);
  }
  return args;
}

function report(event, details = {}) {
  process.stdout.write(JSON.stringify({ event, ...details }) + '\n');
}

let currentStep = 'starting';
async function step(name, work) {
  currentStep = name;
  const started = Date.now();
  const result = await work();
  report('step', { name, ms: Date.now() - started });
  return result;
}

// A bot message, as the chat shows it (not the chat list's preview, not the log panel).
function botParagraph(page, text) {
  return page.getByRole('paragraph').filter({ hasText: text });
}

async function waitForCount(locator, count, timeout, what) {
  try {
    await locator.nth(count - 1).waitFor({ state: 'visible', timeout });
  } catch (error) {
    throw new Error(`${what}: expected ${count} on the page, found ${await locator.count()} within ${timeout} ms`);
  }
}

// Screenshot one bot message: the card with the sender line above it and the avatar beside it.
async function shootMessage(page, card, file) {
  const bubble = card.locator('xpath=ancestor::div[contains(@class, "fai-OutputCard")][1]');
  const target = (await bubble.count()) ? bubble : card;
  const size = await target.boundingBox();
  const viewport = page.viewportSize();
  const needed = Math.ceil(size.height + HEADER_PX + 2 * MARGIN_PX + 260); // + title bar and composer
  if (needed > viewport.height) await page.setViewportSize({ width: viewport.width, height: needed });
  await target.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  await page.evaluate(() => document.fonts.ready);
  const box = await target.boundingBox();
  const view = page.viewportSize();
  const clip = {
    x: Math.max(0, box.x - AVATAR_PX - MARGIN_PX),
    y: Math.max(0, box.y - HEADER_PX),
  };
  clip.width = Math.min(view.width - clip.x, box.width + AVATAR_PX + 2 * MARGIN_PX);
  clip.height = Math.min(view.height - clip.y, box.height + HEADER_PX + MARGIN_PX);
  if (box.y < 0 || box.y + box.height > view.height) {
    throw new Error(`the card does not fit the window (card ${JSON.stringify(box)}, window ${JSON.stringify(view)})`);
  }
  await page.screenshot({ path: file, clip, animations: 'disabled' });
  return { file, width: Math.round(clip.width), height: Math.round(clip.height) };
}

async function run(args) {
  fs.mkdirSync(args.out, { recursive: true });
  const context = await chromium.launchPersistentContext(path.join(args.work, 'chromium-profile'), {
    executablePath: args.chromium,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 1400 },
    reducedMotion: 'reduce',
    timezoneId: 'Europe/London',
    locale: 'en-GB',
  });
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(STEP_MS);
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  const shots = {};
  try {
    // 1. Open the Playground: it installs the app in the personal chat, and the bot says hello.
    const help = botParagraph(page, args['help-text']);
    await step('open the personal chat and see the welcome', async () => {
      await page.goto(args.url);
      await page.getByRole('treeitem', { name: 'Personal Chat' }).click();
      await waitForCount(help, 1, STEP_MS, 'the welcome message after installing');
    });

    // 2. `help`
    const composer = page.locator('[contenteditable="true"][role="textbox"]');
    async function type(text) {
      await composer.click();
      await composer.pressSequentially(text);
      await page.keyboard.press('Enter');
    }
    await step('type help', async () => {
      const before = await help.count();
      await type('help');
      await waitForCount(help, before + 1, STEP_MS, 'the reply to `help`');
    });

    // 3. The monthly prompt arrives (the test runs `cqcbot cycle open` and `cqcbot deliver` now).
    const submit = page.getByRole('button', { name: 'Submit progress' });
    const prompt = page.locator('.ac-adaptiveCard').filter({ hasText: args.ref }).filter({ has: submit }).last();
    report('waiting-for-prompt');
    await step('see the prompt card', async () => {
      await prompt.waitFor({ state: 'visible', timeout: PROMPT_MS });
      for (const text of [`progress for ${args.month}`, 'Please reply by', 'RAG status this month', 'Progress this month']) {
        if (!(await prompt.getByText(text).count())) throw new Error(`the prompt card does not show "${text}"`);
      }
    });
    shots.prompt = await step('screenshot the prompt', () => shootMessage(page, prompt, path.join(args.out, 'prompt.png')));

    // 4. Fill it in and press Submit progress (Action.Execute).
    const answer = {
      rag: 'Amber — at risk',
      narrative: 'Triage clinic for DoLS applications started in November: 40 screened, 12 prioritised.',
      evidence: 'https://halton.example/sites/asc/dols-triage.docx',
      blockers: 'Two more Best Interests Assessors needed from January.',
    };
    await step('fill in the card', async () => {
      await prompt.getByRole('combobox', { name: /RAG status this month/ }).click();
      await page.getByRole('option', { name: answer.rag }).click();
      await prompt.getByRole('textbox', { name: /Progress this month/ }).fill(answer.narrative);
      await prompt.getByRole('textbox', { name: /Evidence links/ }).fill(answer.evidence);
      await prompt.getByRole('textbox', { name: /Blockers or support/ }).fill(answer.blockers);
    });
    const cardsBefore = await page.locator('.ac-adaptiveCard').count();
    const receipt = page.locator('.ac-adaptiveCard').filter({ hasText: `Progress recorded — ${args.ref}` }).last();
    await step('press Submit progress and see the receipt', async () => {
      await prompt.getByRole('button', { name: 'Submit progress' }).click();
      await receipt.waitFor({ state: 'visible' });
      for (const text of [args.owner, answer.rag, answer.narrative, answer.blockers, 'You can change this until']) {
        if (!(await receipt.getByText(text).count())) throw new Error(`the receipt does not show "${text}"`);
      }
      const cardsAfter = await page.locator('.ac-adaptiveCard').count();
      if (cardsAfter !== cardsBefore) {
        throw new Error(`the receipt did not replace the card in place (${cardsBefore} cards before, ${cardsAfter} after)`);
      }
      if (await submit.count()) throw new Error('the prompt card is still shown beside the receipt');
      if (await page.getByText('Unable to reach app').count()) throw new Error('the Playground says "Unable to reach app"');
      // The Playground's own note under an answered card; Teams shows none: dismissed for the screenshot.
      const dismiss = page.getByRole('button', { name: 'Dismiss Invoke Message' });
      if (await dismiss.count()) {
        await dismiss.first().click();
        await dismiss.first().waitFor({ state: 'detached' });
      }
    });
    shots.receipt = await step('screenshot the receipt', () => shootMessage(page, receipt, path.join(args.out, 'receipt.png')));

    // 5. Edit: the form comes back in place, holding what was submitted.
    await step('press Edit and see the form again', async () => {
      await receipt.getByRole('button', { name: 'Edit' }).click();
      const form = page.locator('.ac-adaptiveCard').filter({ hasText: args.ref }).filter({ has: submit }).last();
      await form.waitFor({ state: 'visible' });
      const narrative = await form.getByRole('textbox', { name: /Progress this month/ }).inputValue();
      if (narrative !== answer.narrative) throw new Error(`the Edit form holds "${narrative}", not the submitted text`);
    });

    // 6. `digest MONTH`: the preview of the round just answered (plain `digest` shows the newest round
    //    up to today, and the test's round is next month's), shown privately to the chair or a plan admin.
    const digest = page.locator('.ac-adaptiveCard').filter({ hasText: 'CQC improvement digest' }).last();
    await step('type digest and see the digest', async () => {
      await type(`digest ${args.month}`);
      await digest.waitFor({ state: 'visible' });
      if (await digest.getByText('No progress round was opened').count()) {
        throw new Error(`the digest for ${args.month} says no round was opened`);
      }
      for (const text of [args.month, 'By theme', 'Red and amber', 'Waiting lists and DoLS']) {
        if (!(await digest.getByText(text).count())) throw new Error(`the digest does not show "${text}"`);
      }
      // Its first screen, as the chair sees it on arrival: the summary, each section behind a button.
      // Opening the figures shows their trend charts, images the bot serves from signed links.
      const figures = digest.getByRole('button', { name: 'Show or hide the figures' });
      await figures.click();
      await digest.locator('img').first().waitFor({ state: 'visible' });
      await figures.click();
      await digest.locator('img').first().waitFor({ state: 'hidden' });
    });
    shots.digest = await step('screenshot the digest', () => shootMessage(page, digest, path.join(args.out, 'digest.png')));
    report('done', { screenshots: shots, pageErrors });
  } catch (error) {
    const file = path.join(args.work, 'failure.png');
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    report('failed', { step: currentStep, error: String(error && error.message ? error.message : error).split('\n')[0],
      screenshot: file, pageErrors });
    process.exitCode = 1;
  } finally {
    await context.close();
  }
}

let args;
try {
  args = parseArgs(process.argv.slice(2));
} catch (error) {
  report('failed', { step: 'arguments', error: error.message });
  process.exit(2);
}
const watchdog = setTimeout(() => {
  report('failed', { step: currentStep, error: `the whole run took over ${WATCHDOG_MS / 1000} s` });
  process.exit(1);
}, WATCHDOG_MS);
run(args).finally(() => clearTimeout(watchdog));
