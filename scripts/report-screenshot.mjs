#!/usr/bin/env node
// The screenshot of the report in the README (docs/report.png): after `npm run example`, opens
// example-output/report.html in Debian's chromium (headless, through playwright-core) and
// captures the page's top. Run: npm run example && node scripts/report-screenshot.mjs
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const page = join(root, 'example-output', 'report.html');
const out = join(root, 'docs', 'report.png');
if (!existsSync(page)) {
  process.stderr.write(`no ${page}: run npm run example first\n`);
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const tab = await browser.newPage({ viewport: { width: 1100, height: 1250 }, deviceScaleFactor: 1 });
  await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
  await tab.screenshot({ path: out });
  process.stdout.write(`wrote ${out}\n`);
} finally {
  await browser.close();
}
