/**
 * Locates the first syntax error in a JSON text, for messages that point at a line and column.
 * Node 20's JSON.parse reports a position for some errors only ("Unexpected token ']', ... is
 * not valid JSON" has none), so this small scanner runs after JSON.parse has already failed.
 */

export interface JsonSyntaxError {
  line: number;
  column: number;
  /** What the scanner expected at that point, e.g. `a value`, `',' or '}'`. */
  expected: string;
  /** What it found instead, e.g. `']'` or `end of file`. */
  found: string;
}

class Stop {
  constructor(
    readonly offset: number,
    readonly expected: string,
  ) {}
}

function scanner(text: string) {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const fail = (expected: string): never => {
    throw new Stop(i, expected);
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail("a closing '\"' (control character in string)");
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('four hex digits after \\u');
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? '')) fail('a valid escape');
      }
      i++;
    }
    if (i >= text.length) fail("a closing '\"'");
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '-' || m[0] === '') fail('a value');
    i += m![0].length;
  };
  const literal = () => {
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    fail('a value');
  };
  const items = (close: string, item: () => void) => {
    i++;
    ws();
    if (text[i] === close) return void i++;
    for (;;) {
      item();
      ws();
      if (text[i] === ',') {
        i++;
        ws();
      } else if (text[i] === close) return void i++;
      else fail(`',' or '${close}'`);
    }
  };
  const member = () => {
    if (text[i] !== '"') fail('a property name in double quotes');
    string();
    ws();
    if (text[i] !== ':') fail("':'");
    i++;
    value();
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') items('}', member);
    else if (c === '[') items(']', value);
    else if (c === '"') string();
    else if (c === '-' || (c >= '0' && c <= '9')) number();
    else literal();
  };
  const run = () => {
    value();
    ws();
    if (i < text.length) fail('end of file');
  };
  return { run };
}

/** Line and column (1-based) of `offset`. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text[k] === '\n') {
      line++;
      start = k + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/** The first syntax error of `text`, or null when it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  try {
    scanner(text).run();
    return null;
  } catch (err) {
    const stop = err instanceof Stop ? err : new Stop(0, 'shallower nesting');
    const found = stop.offset >= text.length ? 'end of file' : JSON.stringify(text[stop.offset]);
    return { ...lineColumn(text, stop.offset), expected: stop.expected, found };
  }
}
