// Draws a class poster (core/dialog/flows/staff/poster.ts chooses its words) as an A4 PNG for a school to print
// or forward.
// Text is turned into glyph outlines with fontkit and Noto Sans SC (an npm package, so `npm ci` brings it and
// Chinese always renders), then the SVG is rasterised by resvg. All of it runs on a worker thread that starts
// with the first poster and ends when none was asked for a while, taking the fonts and the renderer with it.
import { createRequire } from "node:module";
import type { Worker } from "node:worker_threads";
import QRCode from "qrcode";
import type { Font, Glyph } from "fontkit";
import type { ClassPoster } from "../core/dialog/ports.js";
import type { PosterRequest, PosterResponse } from "./posterWorker.js";
import { startModuleThread } from "../storage/threads.js";

/** The poster's size in pixels: A4 at 150 dpi, enough to print sharp and small enough to send as a photo. */
export const POSTER_SIZE = { width: 1240, height: 1754 } as const;

const MARGIN = 100;
const COLUMN = POSTER_SIZE.width - 2 * MARGIN;
const QR_SIZE = 440;
const RED = "#b71c1c";
const INK = "#212121";
const GREY = "#616161";

interface Fonts {
  regular: Font;
  bold: Font;
}
interface Renderer {
  fonts: Fonts;
  rasterise(svg: string): Uint8Array;
}

let loading: Promise<Renderer> | undefined;

/** The fonts and resvg, loaded once; a failed load is tried again with the next poster. */
function renderer(): Promise<Renderer> {
  loading ??= load().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

async function load(): Promise<Renderer> {
  const [fontkit, resvg] = await Promise.all([import("fontkit"), import("@resvg/resvg-js")]);
  const require = createRequire(import.meta.url);
  const font = (file: string): Font => {
    const opened = fontkit.openSync(require.resolve(`@expo-google-fonts/noto-sans-sc/${file}`));
    if (!("layout" in opened)) throw new Error(`${file} is a font collection, not one font`);
    return opened;
  };
  return {
    fonts: { regular: font("400Regular/NotoSansSC_400Regular.ttf"), bold: font("700Bold/NotoSansSC_700Bold.ttf") },
    // The SVG holds outlines only, so resvg needs no fonts of its own. Synchronous (≈ 0.1 s), on the poster
    // thread: pages that libuv's pool threads allocated (renderAsync) stay with those threads and are never purged.
    rasterise: (svg) => new resvg.Resvg(svg, { font: { loadSystemFonts: false } }).render().asPng(),
  };
}

/**
 * Draws a poster as a PNG of `POSTER_SIZE` on the poster thread. Drawn on the bot's own thread, the fonts and
 * the renderer's buffers stayed resident after the first poster (+55–85 MB for good); a thread that ends
 * after `IDLE_MS` without a poster gives most of it back (+20–30 MB). The price is loading the fonts again
 * for the first poster after a pause (≈ 0.5 s instead of ≈ 0.1 s): posters are made once per class.
 * @example writeFileSync("/tmp/poster.png", await renderPoster(classPoster(pack, cls, voice)))
 */
export function renderPoster(poster: ClassPoster): Promise<Uint8Array> {
  const thread = (current ??= startThread());
  clearTimeout(thread.idle);
  const id = ++thread.requests;
  return new Promise((resolve, reject) => {
    thread.pending.set(id, { resolve, reject });
    thread.worker.postMessage({ id, poster } satisfies PosterRequest);
  });
}

/** How long the poster thread waits for another poster before it ends. */
const IDLE_MS = 30_000;

interface PosterThread {
  worker: Worker;
  requests: number;
  pending: Map<number, { resolve(png: Uint8Array): void; reject(e: Error): void }>;
  idle?: NodeJS.Timeout;
}
let current: PosterThread | undefined;

function startThread(): PosterThread {
  // resvg allocates with mimalloc, which by default keeps the freed pages of each ≈ 9 MB pixmap: 40 posters
  // left the bot ≈ 100 MB larger than this does. mimalloc reads the real environment when resvg loads, which
  // only the main thread's process.env writes to.
  process.env.MIMALLOC_PURGE_DELAY ??= "0";
  const worker = startModuleThread(import.meta.url, "posterWorker", undefined);
  // An idle poster thread must not keep the bot from exiting.
  worker.unref();
  const thread: PosterThread = { worker, requests: 0, pending: new Map() };
  worker.on("message", (r: PosterResponse) => {
    const waiting = thread.pending.get(r.id);
    thread.pending.delete(r.id);
    if ("png" in r) waiting?.resolve(r.png);
    else waiting?.reject(new Error(`the poster could not be drawn: ${r.error}`));
    if (thread.pending.size === 0) thread.idle = setTimeout(() => retire(thread), IDLE_MS).unref();
  });
  // A thread that fails or ends takes its pending posters with it; the next poster starts a new one.
  const end = (e: Error) => {
    if (current === thread) current = undefined;
    clearTimeout(thread.idle);
    for (const { reject } of thread.pending.values()) reject(e);
    thread.pending.clear();
  };
  worker.on("error", end);
  worker.on("exit", (code) => end(new Error(`the poster thread ended (exit code ${code})`)));
  return thread;
}

/** Ends an idle thread; a poster asked for from now on starts a new one rather than reach this one as it ends. */
function retire(thread: PosterThread): void {
  if (current === thread) current = undefined;
  void thread.worker.terminate();
}

/**
 * Draws a poster as a PNG on the calling thread (the poster thread's work); the first call loads the fonts.
 * @example const png = await drawPoster(poster)
 */
export async function drawPoster(poster: ClassPoster): Promise<Uint8Array> {
  const { fonts, rasterise } = await renderer();
  return rasterise(posterSvg(poster, fonts));
}

/** A text style: font, size in pixels, colour, and the line height as a multiple of the size. */
interface Style {
  font: Font;
  size: number;
  fill: string;
  leading?: number;
}

/** Width of a text in pixels, as fontkit lays it out (kerning included). */
function measure(style: Style, text: string): number {
  return (style.font.layout(text).advanceWidth * style.size) / style.font.unitsPerEm;
}

// Chinese breaks between any two characters; a run of other letters and digits (a word, a date, a command)
// stays whole with the spaces after it.
const PIECES = /[\p{Script=Han}\u3000-\u303f\uff00-\uffef]|[^\s\p{Script=Han}\u3000-\u303f\uff00-\uffef]+\s*|\s+/gu;
// Closing punctuation stays at the end of the line before it rather than starting a line.
const NO_LINE_START = /^[，。、；：！？）》」』”’,.;:!?)\]]/u;

/**
 * Breaks a text into lines no wider than `width`, splitting a piece only when it alone is too wide (a long
 * link). A line's width is the sum of its pieces' (kerning across two pieces is a few units at most), so each
 * piece is laid out once.
 */
function wrap(style: Style, text: string, width: number): string[] {
  const lines: string[] = [];
  let current = "";
  let used = 0;
  const push = (piece: string, pieceWidth: number) => {
    if (!current || NO_LINE_START.test(piece) || used + pieceWidth <= width) {
      current += piece;
      used += pieceWidth;
    } else {
      lines.push(current.trimEnd());
      current = piece.trimStart();
      used = measure(style, current);
    }
  };
  for (const [piece] of text.matchAll(PIECES)) {
    const pieceWidth = measure(style, piece);
    if (pieceWidth <= width) push(piece, pieceWidth);
    else for (const ch of piece) push(ch, measure(style, ch));
  }
  if (current) lines.push(current.trimEnd());
  return lines;
}

/**
 * Lays out blocks top to bottom (`y` is where the next one starts) into SVG parts. Each glyph outline the
 * page uses is written once in `defs` and placed with <use>: a poster repeats few distinct characters, so
 * the SVG, and the garbage made building it, stay small.
 */
class Page {
  y = 0;
  readonly parts: string[] = [];
  readonly defs = new Map<string, string>();
  private readonly fontIds: Map<Font, string>;

  constructor(fonts: Fonts) {
    this.fontIds = new Map([
      [fonts.regular, "r"],
      [fonts.bold, "b"],
    ]);
  }

  /** The id of a glyph's outline in `defs` (font units, y up). */
  private glyph(font: Font, glyph: Glyph): string {
    const id = `${this.fontIds.get(font)}${glyph.id}`;
    if (!this.defs.has(id)) this.defs.set(id, glyph.path.toSVG());
    return id;
  }

  /** One line whose baseline starts at (x, y): the glyphs in font units, scaled and flipped by their group. */
  private line(style: Style, text: string, x: number, y: number): void {
    const { font, size } = style;
    const run = font.layout(text);
    let pen = 0;
    const uses = run.glyphs.map((glyph, i) => {
      const p = run.positions[i]!;
      const use = `<use href="#${this.glyph(font, glyph)}" x="${pen + p.xOffset}" y="${p.yOffset}"/>`;
      pen += p.xAdvance;
      return use;
    });
    const k = size / font.unitsPerEm;
    this.parts.push(`<g fill="${style.fill}" transform="translate(${x.toFixed(1)} ${y.toFixed(1)}) scale(${k} ${-k})">${uses.join("")}</g>`);
  }

  /** A wrapped paragraph, left-aligned at `x` or centred on the page. */
  text(style: Style, text: string, options: { x?: number; centre?: boolean } = {}): void {
    const x = options.x ?? MARGIN;
    const height = style.size * (style.leading ?? 1.45);
    for (const l of wrap(style, text, COLUMN - (x - MARGIN))) {
      const left = options.centre ? (POSTER_SIZE.width - measure(style, l)) / 2 : x;
      // A Chinese character spans about 0.88 em above the baseline to 0.12 em below: centred in the line box.
      this.line(style, l, left, this.y + height / 2 + style.size * 0.38);
      this.y += height;
    }
  }

  gap(pixels: number): void {
    this.y += pixels;
  }

  rule(): void {
    this.parts.push(`<rect x="${MARGIN}" y="${this.y}" width="${COLUMN}" height="2" fill="#e0e0e0"/>`);
  }

  dot(x: number, y: number): void {
    this.parts.push(`<circle cx="${x}" cy="${y}" r="6" fill="${RED}"/>`);
  }

  /** The QR code, centred, with whole-pixel modules so that it stays sharp and scannable. */
  qr(text: string): void {
    const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
    const cell = Math.floor(QR_SIZE / modules.size);
    const left = Math.round((POSTER_SIZE.width - cell * modules.size) / 2);
    const top = Math.round(this.y);
    let d = "";
    for (let row = 0; row < modules.size; row++)
      for (let col = 0; col < modules.size; col++) if (modules.get(row, col)) d += `M${left + col * cell} ${top + row * cell}h${cell}v${cell}h-${cell}z`;
    this.parts.push(`<path fill="#000" d="${d}"/>`);
    this.y += cell * modules.size;
  }
}

/**
 * The poster as SVG of outlines: a red band with the programme and school, the class, its facts, the notes,
 * the QR code with how to enrol, and the notice in small print. Content taller than the page (a long class
 * name or place) is scaled down to fit rather than cut off.
 */
function posterSvg(poster: ClassPoster, fonts: Fonts): string {
  const { width, height } = POSTER_SIZE;
  const page = new Page(fonts);
  page.gap(60);
  page.text({ font: fonts.regular, size: 32, fill: "#ffebee" }, poster.programme, { centre: true });
  page.gap(12);
  page.text({ font: fonts.bold, size: 60, fill: "#fff", leading: 1.3 }, poster.school, { centre: true });
  page.gap(56);
  const band = page.y;

  page.gap(64);
  page.text({ font: fonts.bold, size: 68, fill: INK, leading: 1.3 }, poster.title, { centre: true });
  page.gap(8);
  page.text({ font: fonts.regular, size: 40, fill: RED }, poster.subtitle, { centre: true });
  page.gap(40);
  page.rule();
  page.gap(36);

  const label: Style = { font: fonts.regular, size: 36, fill: GREY };
  const value: Style = { font: fonts.bold, size: 36, fill: INK };
  const valueX = MARGIN + Math.max(...poster.facts.map((f) => measure(label, f.label))) + 40;
  for (const fact of poster.facts) {
    const top = page.y;
    page.text(label, fact.label);
    const below = page.y;
    page.y = top;
    page.text(value, fact.value, { x: valueX });
    page.y = Math.max(page.y, below) + 8;
  }
  page.gap(28);
  page.rule();
  page.gap(32);

  const note = { font: fonts.regular, size: 30, fill: INK, leading: 1.5 };
  for (const text of poster.notes) {
    page.dot(MARGIN + 8, page.y + (note.size * note.leading) / 2);
    page.text(note, text, { x: MARGIN + 32 });
    page.gap(14);
  }
  page.gap(36);

  if (poster.link) {
    page.qr(poster.link);
    page.gap(20);
    page.text({ font: fonts.bold, size: 40, fill: RED }, poster.scan, { centre: true });
  }
  page.text({ font: fonts.regular, size: 30, fill: INK }, poster.typed, { centre: true });
  page.gap(40);
  page.text({ font: fonts.regular, size: 24, fill: GREY }, poster.footer, { centre: true });
  page.gap(60);

  // Scaled about the top centre; the band's colour still spans the whole width.
  const k = Math.min(1, height / page.y);
  const defs = [...page.defs].map(([id, d]) => `<path id="${id}" d="${d}"/>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<defs>${defs.join("")}</defs>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<rect width="${width}" height="${band * k}" fill="${RED}"/>`,
    `<g transform="translate(${(width * (1 - k)) / 2} 0) scale(${k})">`,
    ...page.parts,
    "</g></svg>",
  ].join("");
}
