// The hot loop of the CSV record counter (csv-count.ts) as WebAssembly SIMD128.
// Rebuild with ./build.sh after any change; docs/scanner.md explains the method.
//
// Input is an ASCII-compatible byte stream (UTF-8, single-byte code pages; UTF-16 never comes
// here). The caller reads or copies a chunk into `input`, calls csv_count with the state
// carried from the previous chunk, gets the records that ended in the chunk and reads the new
// state with state_out().
//
// State, 3 bits, with the same meaning in the SIMD and the byte-by-byte path:
//   IN_QUOTE  inside a quoted field;
//   AFTER_EOL the previous byte was CR or LF, or there was none: a line break here is blank;
//   MAY_OPEN  a quote here opens (or re-enters) a quoted field: the previous byte is a
//             delimiter, CR, LF, the closing quote of a quoted field (`""` is an escape), or
//             there was none.
//
// SIMD method, per 64-byte block (four v128): a bit mask of the quotes and one of the line
// breaks; "inside quotes" is the prefix XOR of the quote mask, i.e. every quote toggles, as in
// RFC 4180. Python's reader (the reference) differs only for a quote outside quotes that does
// not start a field: it is plain text there (`5'11"`). Such a quote is exactly a toggling
// "opener" whose previous byte is not a delimiter, CR, LF or quote; a block holding one is
// redone byte by byte with the exact state machine. Well-formed files never take that path.
#include <stdint.h>
#include <wasm_simd128.h>

#define IN_QUOTE 1u
#define AFTER_EOL 2u
#define MAY_OPEN 4u

#define QUOTE 0x22
#define LF 0x0a
#define CR 0x0d

// 1 MiB of input plus one block of slack, which the last partial block is zero-padded into
// (NUL is none of the bytes the masks look for).
#define INPUT_BYTES (1u << 20)
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
      s = c == QUOTE ? MAY_OPEN : IN_QUOTE;  // closes; a second quote re-enters (`""`)
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

// Bit i of the result: an odd number of quotes at or before byte i.
static inline uint64_t prefix_xor(uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

// Byte i of the result is byte i - 1 of `now`; byte 0 is the last byte of `before`.
static inline v128_t previous_bytes(v128_t before, v128_t now) {
  return wasm_i8x16_shuffle(before, now, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28,
                            29, 30);
}

static inline v128_t splat_bit(uint32_t bit) { return wasm_i8x16_splat(bit ? -1 : 0); }

typedef struct {
  v128_t quote, lf, cr, delim;
  v128_t opens_before;  // the previous vector's quote, delimiter and line-break bytes
} Classes;

// For 16 bytes: `quotes` marks the quotes; `eol_odd` the line breaks and the quotes whose
// previous byte is not one that lets a quote open (only those can be stray). One mask holds
// both because a byte is never both.
static inline void classify(Classes *c, v128_t v, v128_t *quotes, v128_t *eol_odd) {
  v128_t q = wasm_i8x16_eq(v, c->quote);
  v128_t e = wasm_v128_or(wasm_i8x16_eq(v, c->lf), wasm_i8x16_eq(v, c->cr));
  v128_t eq = wasm_v128_or(e, q);
  v128_t opens = wasm_v128_or(eq, wasm_i8x16_eq(v, c->delim));
  v128_t good = wasm_v128_and(q, previous_bytes(c->opens_before, opens));
  c->opens_before = opens;
  *quotes = q;
  *eol_odd = wasm_v128_xor(eq, good);  // e | (q & ~good), as e and q are disjoint
}

typedef struct {
  uint64_t in_quote;    // all ones inside quotes
  uint64_t after_eol;   // 1 after a line break or at the start
  v128_t opens_before;  // byte 15 set: a quote may open here
  uint32_t records;
} Run;

// The fast loop over whole blocks from p to end. Returns where it stopped: at end, or at a
// block holding a stray quote, which the caller redoes exactly. Out of line, so that the
// byte-by-byte path takes no registers from this loop.
__attribute__((noinline)) static const uint8_t *run_blocks(const uint8_t *p, const uint8_t *end,
                                                           uint8_t delim, Run *run) {
  Classes c = {
    wasm_i8x16_splat(QUOTE), wasm_i8x16_splat(LF), wasm_i8x16_splat(CR),
    wasm_i8x16_splat((int8_t)delim), run->opens_before,
  };
  uint64_t in_quote = run->in_quote;
  uint64_t after_eol = run->after_eol;
  uint32_t records = run->records;
#pragma clang loop unroll_count(2)
  for (; p != end; p += 64) {
    v128_t opens_before = c.opens_before;
    v128_t q0, q1, q2, q3, x0, x1, x2, x3;
    classify(&c, wasm_v128_load(p), &q0, &x0);
    classify(&c, wasm_v128_load(p + 16), &q1, &x1);
    classify(&c, wasm_v128_load(p + 32), &q2, &x2);
    classify(&c, wasm_v128_load(p + 48), &q3, &x3);
    uint64_t q = bits64(q0, q1, q2, q3);
    uint64_t eol_odd = bits64(x0, x1, x2, x3);
    uint64_t inside = prefix_xor(q) ^ in_quote;  // bit i: inside quotes after byte i
    if (eol_odd & q & inside) {  // an odd quote that opens: stray
      c.opens_before = opens_before;
      break;
    }

    // A line break outside quotes ends a record unless it follows another one (blank record).
    uint64_t e = eol_odd & ~q;
    records += (uint32_t)__builtin_popcountll(e & ~inside & ~(e << 1 | after_eol));
    in_quote = (uint64_t)((int64_t)inside >> 63);
    after_eol = e >> 63;
  }
  run->in_quote = in_quote;
  run->after_eol = after_eol;
  run->opens_before = c.opens_before;
  run->records = records;
  return p;
}

// Counts the records ending in input[0..n) and leaves the new state for state_out().
uint32_t csv_count(uint32_t n, uint32_t state, uint32_t delimiter) {
  const uint8_t delim = (uint8_t)delimiter;
  if (n == 0 || n > INPUT_BYTES) {
    state_after = state;
    return 0;
  }
  Run run = {
    state & IN_QUOTE ? ~0ull : 0, state & AFTER_EOL ? 1 : 0, splat_bit(state & MAY_OPEN), 0,
  };
  int redone_last = 0;

  // The last partial block is zero-padded in place: its masks then have no bits past n.
  uint32_t blocks = (n + 63) / 64;
  for (uint32_t k = n; k < blocks * 64; k++) input[k] = 0;
  const uint8_t *end = input + blocks * 64;
  for (const uint8_t *p = input; (p = run_blocks(p, end, delim, &run)) != end; p += 64) {
    uint32_t s = (run.in_quote ? IN_QUOTE : 0) | (run.after_eol ? AFTER_EOL : 0)
               | (wasm_i8x16_extract_lane(run.opens_before, 15) ? MAY_OPEN : 0);
    uint32_t left = (uint32_t)(input + n - p);
    run.records += scalar(p, left < 64 ? left : 64, delim, &s);
    run.in_quote = s & IN_QUOTE ? ~0ull : 0;
    run.after_eol = s & AFTER_EOL ? 1 : 0;
    run.opens_before = splat_bit(s & MAY_OPEN);
    redone_last = p + 64 == end;
  }

  // The quote state is carried through the padding; the other two bits are the last byte's:
  // a quote there closed a field (the toggle reading held), unless its block was redone.
  uint8_t last = input[n - 1];
  if (run.in_quote) {
    state_after = IN_QUOTE;
  } else if (last == LF || last == CR) {
    state_after = AFTER_EOL | MAY_OPEN;
  } else if (redone_last) {
    state_after = wasm_i8x16_extract_lane(run.opens_before, 15) ? MAY_OPEN : 0;
  } else {
    state_after = last == QUOTE || last == delim ? MAY_OPEN : 0;
  }
  return run.records;
}
