// Render every *.mmd file of a folder to SVG with Mermaid's own renderer, as mmdc does (its page, its
// mermaid.js, mermaid.render), but in ONE browser page one diagram after another: mmdc's Markdown mode
// opens a page per diagram all at once, which times out on a small machine.
// Usage: node render-all.mjs PUPPETEER_CONFIG.json IN_DIR OUT_DIR
// Writes OUT_DIR/<name>.svg for each diagram that renders, and OUT_DIR/errors.json: {name: message}.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import puppeteer from 'puppeteer'

const modules = path.join(path.dirname(fileURLToPath(import.meta.url)), 'node_modules')
const pageHtml = path.join(modules, '@mermaid-js', 'mermaid-cli', 'dist', 'index.html')
const mermaidJs = path.join(modules, 'mermaid', 'dist', 'mermaid.js')

const [config, inDir, outDir] = process.argv.slice(2)
const browser = await puppeteer.launch({ headless: 'shell', ...JSON.parse(fs.readFileSync(config, 'utf8')) })
const errors = {}
try {
  const page = await browser.newPage()
  await page.goto(pathToFileURL(pageHtml).href)
  await page.addScriptTag({ path: mermaidJs })
  for (const file of fs.readdirSync(inDir).filter((f) => f.endsWith('.mmd')).sort()) {
    const name = file.slice(0, -4)
    const definition = fs.readFileSync(path.join(inDir, file), 'utf8')
    try {
      const svg = await page.$eval('#container', async (container, definition) => {
        const { mermaid } = globalThis
        mermaid.initialize({ startOnLoad: false })
        const { svg } = await mermaid.render('my-svg', definition, container)
        return svg
      }, definition)
      fs.writeFileSync(path.join(outDir, `${name}.svg`), svg)
    } catch (err) {
      errors[name] = String(err && err.message ? err.message : err)
    }
  }
} finally {
  await browser.close()
}
fs.writeFileSync(path.join(outDir, 'errors.json'), JSON.stringify(errors, null, 2))
