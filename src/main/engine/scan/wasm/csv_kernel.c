// The hot loop of the CSV record counter (csv-count.ts) as WebAssembly SIMD128.
//
// Rules: docs/scanner.md, "Counting CSV data rows". Input is an ASCII-compatible byte stream
// (UTF-8, single-byte code pages, narrowed UTF-16 never comes here). The JavaScript caller
// copies or reads a chunk into `input`, calls csv_count with the state carried from the
// previous chunk and gets the records that ended in this chunk; the new state is in `state_out`.
//
// State, 3 bits (same meaning in the SIMD and the scalar path, so they can take turns):
//   IN_QUOTE  inside a quoted field;
//   AFTER_EOL the previous byte was CR or LF, or there was none: a line break here is blank;
//   MAY_OPEN  the previous byte lets a quote open (or re-enter) a quoted field: a delimiter,
//             CR, LF, the start, or the closing quote of a quoted field (then `""` is an escape).
//
// SIMD idea (per 64-byte block, as four v128): bit masks of quotes, line breaks and delimiters;
// "inside quotes" is the prefix XOR of the quote mask, i.e. every quote toggles. That is the
// RFC 4180 reading. Python (our reference) differs only for a quote that is not at the start of
// a field and not inside quotes: it is plain text there. Such a quote is exactly a toggling
// "opener" whose previous byte is not a delimiter, CR, LF or quote; the block is then redone
// byte by byte with the exact state machine. Well-formed files never take that path.
#include <stdint.h>
#include <wasm_simd128.h>

#define IN_QUOTE 1u
#define AFTER_EOL 2u
#define MAY_OPEN 4u

#define QUOTE 0x22
#define LF 0x0a
#define CR 0x0d

// 4 MiB of input plus one block of slack, which the last partial block is zero-padded into
// (a NUL byte is none of the bytes the masks look for).
#define INPUT_BYTES (4u << 20)
static uint8_t input[INPUT_BYTES + 64] __attribute__((aligned(64)));
static uint32_t state_after;

uint8_t *input_ptr(void) { return input; }
uint32_t input_bytes(void) { return INPUT_BYTES; }
uint32_t state_out(void) { return state_after; }

// The exact state machine, one byte at a time: for blocks holding a stray quote.
static uint32_t scalar(const uint8_t *p, uint32_t n, uint8_t delim, uint32_t *state) {
  uint32_t s = *state;
  uint32_t records = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint8_t c = p[i];
    if (s & IN_QUOTE) {
      // A quote closes; `""` re-enters at once through MAY_OPEN.
      s = c == QUOTE ? MAY_OPEN : IN_QUOTE;
    } else if (c == QUOTE) {
      s = s & MAY_OPEN ? IN_QUOTE : 0;  // at a field start it opens, elsewhere it is text
    } else if (c == LF || c == CR) {
      if (!(s & AFTER_EOL)) records++;
      s = AFTER_EOL | MAY_OPEN;
    } else {
      s = c == delim ? MAY_OPEN : 0;
    }
  }
  *state = s;
  return records;
}

static inline uint64_t bits64(v128_t a, v128_t b, v128_t c, v128_t d) {
  uint32_t lo = wasm_i8x16_bitmask(a) | wasm_i8x16_bitmask(b) << 16;
  uint32_t hi = wasm_i8x16_bitmask(c) | wasm_i8x16_bitmask(d) << 16;
  return (uint64_t)lo | (uint64_t)hi << 32;
}

// Every bit becomes the XOR of itself and all bits below it: bit i = "odd number of quotes at
// or before i".
static inline uint64_t prefix_xor(uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

// Byte i of the result is byte i - 1 of `now`, byte 0 is the last byte of `before`.
static inline v128_t previous_bytes(v128_t before, v128_t now) {
  return wasm_i8x16_shuffle(before, now, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
                            29, 30);
}

typedef struct {
  v128_t quote, lf, cr, delim;
  v128_t opens_before;  // last vector's delimiter, line-break and quote bytes (byte 15)
} Classes;

// For 16 bytes: `quotes` gets the quote bytes; `eol_odd` the line-break bytes and the quotes
// whose previous byte could not start a field (only those can be stray quotes). Both share
// one mask since a byte is never both.
static inline void classify(Classes *c, v128_t v, v128_t *quotes, v128_t *eol_odd) {
  v128_t q = wasm_i8x16_eq(v, c->quote);
  v128_t e = wasm_v128_or(wasm_i8x16_eq(v, c->lf), wasm_i8x16_eq(v, c->cr));
  v128_t eq = wasm_v128_or(e, q);
  v128_t opens = wasm_v128_or(eq, wasm_i8x16_eq(v, c->delim));
  // (e | q) without the quotes that follow a byte that lets them open: e | odd quotes.
  v128_t good = wasm_v128_and(q, previous_bytes(c->opens_before, opens));
  c->opens_before = opens;
  *quotes = q;
  *eol_odd = wasm_v128_xor(eq, good);
}

static inline v128_t splat_bit(uint64_t bit) { return wasm_i8x16_splat(bit ? -1 : 0); }

// Counts the records ending in input[0..n) and leaves the new state in state_out().
uint32_t csv_count(uint32_t n, uint32_t state, uint32_t delimiter) {
  const uint8_t delim = (uint8_t)delimiter;
  if (n == 0 || n > INPUT_BYTES) {
    state_after = state;
    return 0;
  }
  Classes c = {
    wasm_i8x16_splat(QUOTE), wasm_i8x16_splat(LF), wasm_i8x16_splat(CR),
    wasm_i8x16_splat((int8_t)delim), splat_bit(state & MAY_OPEN),
  };
  uint64_t in_quote = state & IN_QUOTE ? ~0ull : 0;
  uint64_t after_eol = state & AFTER_EOL ? 1 : 0;
  uint32_t records = 0;

  // The last partial block is zero-padded in place: its masks then have no bits past n.
  uint32_t blocks = (n + 63) / 64;
  for (uint32_t k = n; k < blocks * 64; k++) input[k] = 0;

  for (uint32_t b = 0; b < blocks; b++) {
    const uint8_t *p = input + b * 64;
    uint64_t may_open = wasm_i8x16_extract_lane(c.opens_before, 15) != 0;
    v128_t q0, q1, q2, q3, x0, x1, x2, x3;
    classify(&c, wasm_v128_load(p), &q0, &x0);
    classify(&c, wasm_v128_load(p + 16), &q1, &x1);
    classify(&c, wasm_v128_load(p + 32), &q2, &x2);
    classify(&c, wasm_v128_load(p + 48), &q3, &x3);
    uint64_t q = bits64(q0, q1, q2, q3);
    uint64_t eol_odd = bits64(x0, x1, x2, x3);
    uint64_t e = eol_odd & ~q;
    uint64_t inside = prefix_xor(q) ^ in_quote;  // bit i: inside quotes after byte i

    if (eol_odd & q & inside) {
      // A quote that opens in the toggle reading but not at a field start: redo exactly.
      uint32_t s = (in_quote ? IN_QUOTE : 0) | (after_eol ? AFTER_EOL : 0)
                 | (may_open ? MAY_OPEN : 0);
      records += scalar(p, b + 1 < blocks ? 64 : n - b * 64, delim, &s);
      in_quote = s & IN_QUOTE ? ~0ull : 0;
      after_eol = s & AFTER_EOL ? 1 : 0;
      c.opens_before = splat_bit(s & MAY_OPEN);
      continue;
    }

    // A line break outside quotes ends a record unless it follows another one (blank record).
    records += (uint32_t)__builtin_popcountll(e & ~inside & ~(e << 1 | after_eol));
    in_quote = (uint64_t)((int64_t)inside >> 63);
    after_eol = e >> 63;
  }

  // The padding carried the quote state and the other two bits to the end of the block; they
  // are the last real byte's, taken again from it (a redone block left them in opens_before).
  uint8_t last = input[n - 1];
  if (in_quote) {
    state_after = IN_QUOTE;
  } else if (last == LF || last == CR) {
    state_after = AFTER_EOL | MAY_OPEN;
  } else {
    state_after = wasm_i8x16_extract_lane(c.opens_before, 15) != 0 ? MAY_OPEN : 0;
  }
  return records;
}
