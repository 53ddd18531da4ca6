/* The proof of work for forms marked data-challenge (see wulian/core/challenge.py): find a
   nonce such that SHA-256("challenge:nonce") starts with the challenge's number of zero bits,
   put it in the form's "nonce" field, and only then let the form go. Plain JavaScript SHA-256,
   so it also works on plain http, where crypto.subtle is missing. */
(function () {
  "use strict";
  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ];
  var W = new Array(64);

  function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }

  /* SHA-256 of an ASCII string; returns the first 32-bit word (enough to count zero bits
     up to 32) and the second, as an array. */
  function sha256Words(text) {
    var bytes = [];
    for (var i = 0; i < text.length; i++) bytes.push(text.charCodeAt(i) & 0xff);
    var bitLength = bytes.length * 8;
    bytes.push(0x80);
    while (bytes.length % 64 !== 56) bytes.push(0);
    for (var s = 56; s >= 0; s -= 8) bytes.push(s >= 32 ? 0 : (bitLength >>> s) & 0xff);
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    for (var off = 0; off < bytes.length; off += 64) {
      for (var t = 0; t < 16; t++) {
        var j = off + t * 4;
        W[t] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
      }
      for (t = 16; t < 64; t++) {
        var s0 = rotr(W[t - 15], 7) ^ rotr(W[t - 15], 18) ^ (W[t - 15] >>> 3);
        var s1 = rotr(W[t - 2], 17) ^ rotr(W[t - 2], 19) ^ (W[t - 2] >>> 10);
        W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (t = 0; t < 64; t++) {
        var S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        var ch = (e & f) ^ (~e & g);
        var t1 = (k + S1 + ch + K[t] + W[t]) | 0;
        var S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        var maj = (a & b) ^ (a & c) ^ (b & c);
        var t2 = (S0 + maj) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
    }
    return [h[0] >>> 0, h[1] >>> 0];
  }

  function hasWork(words, bits) {
    if (bits <= 32) return bits === 0 || words[0] >>> (32 - bits) === 0;
    return words[0] === 0 && (bits - 32 >= 32 ? words[1] === 0 : words[1] >>> (64 - bits) === 0);
  }

  function solve(challenge, done) {
    var bits = parseInt(challenge.split(":")[0], 10);
    var nonce = 0;
    function batch() {
      var stop = nonce + 20000;
      for (; nonce < stop; nonce++) {
        if (hasWork(sha256Words(challenge + ":" + nonce), bits)) { done(String(nonce)); return; }
      }
      setTimeout(batch, 0);
    }
    batch();
  }

  function prepare(form) {
    var challenge = form.querySelector("input[name='challenge']");
    var nonce = form.querySelector("input[name='nonce']");
    if (!challenge || !nonce) return;
    var solved = false, waiting = false;
    solve(challenge.value, function (found) {
      nonce.value = found;
      solved = true;
      if (waiting) form.submit();
    });
    form.addEventListener("submit", function (event) {
      if (solved) return;
      event.preventDefault();
      waiting = true;
      var button = form.querySelector("button[type='submit']");
      if (button) button.setAttribute("aria-busy", "true");
    });
  }

  function start() {
    var forms = document.querySelectorAll("form[data-challenge]");
    for (var i = 0; i < forms.length; i++) prepare(forms[i]);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  window.wulianSha256Words = sha256Words;
})();
