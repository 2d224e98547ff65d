// A look at the first rows of a file before it is sent, to pick the text column.
// The server parses the whole file again; this only needs to be right for a preview.

const TEXT_NAMES = ["text", "content", "document", "body"];
const SUFFIXES = [".csv", ".tsv", ".json", ".jsonl", ".txt"];  // topicmap/corpus.py SUPPORTED_SUFFIXES
const SPREADSHEETS = [".xlsx", ".xls", ".xlsm", ".ods", ".numbers"];
const DELIMITERS = [",", ";", "\t", "|"];  // topicmap/readers.py CSV_DELIMITERS

// Why a file cannot be sent (its type), or "" when it can.
export function unreadable(name) {
  const suffix = name.includes(".") ? name.slice(name.lastIndexOf(".")).toLowerCase() : "";
  if (SUFFIXES.includes(suffix)) return "";
  const how = SPREADSHEETS.includes(suffix) ? ": a spreadsheet, save it as 'CSV UTF-8' first" : "";
  return `${name} cannot be read${how}; use a ${SUFFIXES.join(", ")} file.`;
}

// The first `bytes` of a file as text: UTF-8, or UTF-16 when it starts with that byte-order mark
// (Windows PowerShell's `>` writes it), as the server reads it (topicmap/readers.py). Bytes that are
// not UTF-8 (Excel's "CSV (Comma delimited)" is the Windows code page) throw NotUtf8, as the server
// would refuse the file after its upload; a character cut at the end of the head does not.
export async function fileHead(file, bytes) {
  const head = new Uint8Array(await file.slice(0, bytes).arrayBuffer());
  const encoding = head[0] === 0xff && head[1] === 0xfe ? "utf-16le" : head[0] === 0xfe && head[1] === 0xff ? "utf-16be" : "utf-8";
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(head, { stream: true });
  } catch {
    const text = new TextDecoder(encoding).decode(head, { stream: true });
    throw new NotUtf8(text.slice(0, text.indexOf("\ufffd")).split(/\r\n|\r|\n/).length, encoding);
  }
}

// topicmap/readers.py not_utf8: the server's words, with the page's way out (#encoding-note).
export class NotUtf8 extends Error {
  constructor(line, encoding) {
    super(encoding === "utf-8"
      ? `not UTF-8 text (invalid byte at line ${line}); save it as UTF-8 (in Excel: Save As, 'CSV UTF-8'), or choose its encoding`
      : `not UTF-16 text (invalid bytes at line ${line}) after its UTF-16 mark; save it as UTF-8`);
    this.utf8 = encoding === "utf-8";
  }
}

// Whether the server refused an upload as not UTF-8 (readers.py not_utf8's words): the page then
// offers to read it in another encoding, as when the preview finds it.
export function refusedAsNotUtf8(message) {
  return / not UTF-8 text /.test(message);
}

// The encodings a file that is not UTF-8 can be read in (WHATWG labels), Excel's on Windows first.
export const ENCODINGS = [
  ["windows-1252", "Western European (Windows-1252)"],
  ["windows-1250", "Central European (Windows-1250)"],
  ["windows-1251", "Cyrillic (Windows-1251)"],
  ["windows-1253", "Greek (Windows-1253)"],
  ["windows-1254", "Turkish (Windows-1254)"],
  ["shift_jis", "Japanese (Shift JIS)"],
  ["gb18030", "Chinese (GB18030)"],
  ["euc-kr", "Korean (EUC-KR)"],
];

export function offerEncodings(select) {
  select.replaceChildren(...ENCODINGS.map(([label, name]) => new Option(name, label)));
}

// The file's text in `encoding` (a WHATWG label: "windows-1252"), as a UTF-8 file of the same name:
// what the server reads without being told the encoding (topicmap/readers.py transcoded does the same).
export async function inUtf8(file, encoding) {
  const text = new TextDecoder(encoding).decode(await file.arrayBuffer());
  return new File([text], file.name, { type: file.type });
}

export function parseDelimited(text, delimiter, maxRows = 6) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length && rows.length < maxRows; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) { row.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field); field = "";
      if (row.some((v) => /[^\s,;|]/.test(v))) rows.push(row);  // blank lines, and lines of delimiters only
      row = [];
    } else field += c;
  }
  if ((field || row.length) && rows.length < maxRows) { row.push(field); rows.push(row); }
  return rows;
}

// A .csv file's delimiter, from its first line, as the server picks it (topicmap/readers.py): the
// one that splits the header into the most fields, a comma on a tie (spreadsheets in many countries save semicolons).
function headerDelimiter(header) {
  if (separatorLine(header)) return header.replace(/^[ ]+/, "")[4];  // Excel's "sep=;" names it
  let best = ",";
  let widest = 0;
  for (const delimiter of DELIMITERS) {
    const width = (parseDelimited(header, delimiter, 1)[0] || []).length;
    if (width > widest) { best = delimiter; widest = width; }
  }
  return best;
}

// A header's names as the server gives them (topicmap/text_column.py column_names): "column N" for an
// empty one, " (2)" after a repeated one.
function columnNames(header) {
  const names = [];
  header.forEach((given, i) => {
    const base = given.trim() || `column ${i + 1}`;
    let name = base;
    for (let copy = 2; names.includes(name); copy++) name = `${base} (${copy})`;
    names.push(name);
  });
  return names;
}

// Excel's first line "sep=;" (as topicmap/readers.py separator_line): not the header.
function separatorLine(line) {
  const text = line.replace(/^[ ]+|[ \r\n]+$/g, "");
  return text.length === 5 && text.slice(0, 4).toLowerCase() === "sep=" && DELIMITERS.includes(text[4]);
}

export function preview(name, text) {
  const suffix = name.slice(name.lastIndexOf(".")).toLowerCase();
  const clean = text.replace(/^\ufeff/, "");
  if (suffix === ".csv" || suffix === ".tsv") {
    // The first line that is not blank (as topicmap/readers.py: blank lines before a header are skipped).
    const first = clean.split(/\r?\n|\r/).find((line) => /[^\s,;|]/.test(line)) || "";
    const delimiter = suffix === ".tsv" ? "\t" : headerDelimiter(first);
    const after = clean.slice(clean.indexOf(first) + first.length).replace(/^\r?\n|^\r/, "");
    const rows = parseDelimited(separatorLine(first) ? after : clean, delimiter, 8);
    // Survey tools' header rows are not answers (topicmap/corpus.py): Qualtrics' question texts and
    // {"ImportId": ...}; SurveyMonkey's second header ("Open-Ended Response").
    const marks = (rows[2] || []).filter((value) => value.trim());
    if (marks.length && marks.every((value) => value.startsWith('{"ImportId"'))) rows.splice(1, 2);
    else if ((rows[1] || []).includes("Open-Ended Response")) rows.splice(1, 1);
    return { columns: columnNames(rows[0] || []), rows: rows.slice(1, 6) };
  }
  if (suffix === ".txt") {
    return { columns: ["text"], rows: clean.split(/\r?\n/).filter((l) => l.trim()).slice(0, 5).map((l) => [l]) };
  }
  let items = [];
  if (suffix === ".jsonl") {
    items = clean.split(/\r?\n/).filter((l) => l.trim()).slice(0, 5).map((l) => JSON.parse(l));
  } else {
    const data = JSON.parse(clean);
    items = (Array.isArray(data) ? data : data.documents || []).slice(0, 5);
  }
  if (items.every((item) => typeof item === "string")) return { columns: ["text"], rows: items.map((t) => [t]) };
  const flat = items.map(flatten);
  const columns = [...new Set(flat.flatMap((item) => Object.keys(item)))];
  return { columns, rows: flat.map((item) => columns.map((c) => (item[c] === undefined ? "" : String(item[c])))) };
}

// A document object with the keys of its `meta` object among its own, as the server reads it
// (topicmap/corpus.py): a top-level key wins over a `meta` key of the same name.
function flatten(item) {
  const { meta, ...rest } = item;
  return meta && typeof meta === "object" && !Array.isArray(meta) ? { ...meta, ...rest } : item;
}

// Numbers and dates (2024-01-15, 1/15/2024 2:30 PM, 15.01.2024) are not the text, however long.
const NOT_TEXT = /^\s*(-?[\d.,]+|\d{1,4}[\/.-]\d{1,2}[\/.-]\d{1,4}([ T][\d:.]+\s*([AaPp][Mm]|Z|[+-][\d:]+)?)?)\s*$/;

export function guessTextColumn(columns, rows) {
  const named = columns.find((c) => TEXT_NAMES.includes(c.toLowerCase()));
  if (named) return named;
  let best = columns[0];
  let bestLength = -1;
  columns.forEach((column, index) => {
    const values = rows.map((row) => String(row[index] ?? "")).filter((v) => v.trim());
    if (values.length && values.filter((v) => NOT_TEXT.test(v)).length >= values.length / 2) return;
    const length = values.reduce((sum, value) => sum + value.length, 0);
    if (length > bestLength) { best = column; bestLength = length; }
  });
  return best;
}

// A column named for dates or periods, for "over time" (the server reads what it holds: topicmap/dates.py).
// "created", "updated_at", "Date", "timestamp"; "year", "month", "quarter" only as the whole name
// ("years_of_experience" is a number, not a time).
const TIME_PARTS = /date|time|created|day/i;
const TIME_NAMES = ["year", "month", "week", "quarter", "period", "when"];

export function guessTimeColumn(columns, textColumn) {
  const offered = columns.filter((c) => c !== textColumn);
  const named = (c) => TIME_NAMES.includes(c.trim().toLowerCase());
  return offered.find((c) => TIME_PARTS.test(c)) || offered.find(named) || "";
}

// A .csv or .tsv of one column whose name reads like a text ("Price is fair for my quality.") has
// no header line: its first text is taken for the column's name (as the server reads it too).
export function headerNote(name, columns) {
  const delimited = /\.(csv|tsv)$/i.test(name);
  if (!delimited || columns.length !== 1 || columns[0].trim().split(/\s+/).length < 4) return "";
  return `The first line, “${columns[0]}”, is read as the column's name, not as a text.`;
}

// The file with a header line ("text") before its first: that line is then read as a text. In the
// file's own encoding, after its byte-order mark (topicmap/readers.py reads UTF-8 or UTF-16 so).
export async function withHeaderLine(file) {
  const head = new Uint8Array(await file.slice(0, 3).arrayBuffer());
  const utf16 = head[0] === 0xff && head[1] === 0xfe ? "le" : head[0] === 0xfe && head[1] === 0xff ? "be" : "";
  const mark = utf16 ? 2 : head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  const line = [..."text\n"].map((char) => char.charCodeAt(0));
  const bytes = utf16 === "le" ? line.flatMap((code) => [code, 0]) : utf16 === "be" ? line.flatMap((code) => [0, code]) : line;
  return new File([file.slice(0, mark), new Uint8Array(bytes), file.slice(mark)], file.name, { type: file.type });
}
