/* The paste rules of editorial/text.py's clean_body, for the article form: pasted text becomes the
 * paragraphs the server will store, and the counter counts them the way readers will see them.
 * tests/test_text.py runs this file under node over the same table as the Python function. */
(function (root) {
  "use strict";

  var LINE_BREAKS = /\r\n|[\r\n\u000b\u000c\u001c\u001d\u001e\u0085\u2028\u2029]/;
  var INVISIBLE = /[\u0000-\u0008\u000e-\u001b\u001f\u007f-\u0084\u0086-\u009f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g;
  var SPACES = /[\t \u00a0\u1680\u2000-\u200a\u202f\u205f]+/g;
  var EDGES = /^[ \u3000]+|[ \u3000]+$/g;

  function cleanBody(text) {
    return text
      .replace(INVISIBLE, "")
      .split(LINE_BREAKS)
      .map(function (line) { return line.replace(SPACES, " ").replace(EDGES, ""); })
      .filter(function (line) { return line !== ""; })
      .join("\n\n");
  }

  function paragraphCount(text) {
    var cleaned = cleanBody(text);
    return cleaned === "" ? 0 : cleaned.split("\n\n").length;
  }

  root.digestText = { cleanBody: cleanBody, paragraphCount: paragraphCount };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = root.digestText;
  }
})(typeof window !== "undefined" ? window : globalThis);
