// What changed between two versions of the ACL, rule by rule: the longest run of rules both
// versions keep in order, with the rules around it added or removed; a removal and an addition at
// the same place are one rule changed (its fields before and after), and a rule removed in one
// place and added unchanged in another has moved.

const fields = ["user", "item", "action", "allow"];
const sameRule = (a, b) => fields.every((f) => a[f] === b[f]);

/**
 * [{kind: "added", at, rule} | {kind: "removed", at, rule} | {kind: "changed", at, was, before,
 * after, fields} | {kind: "moved", at, was, rule}]: `at` is the rule's index in `after` (in
 * `before` for a removal), `was` its index in `before`.
 */
export function diffAcl(before, after) {
  const ops = editScript(before, after);
  const changes = [];
  let removed = [];
  let added = [];
  const flush = () => {
    const paired = Math.min(removed.length, added.length);
    for (let k = 0; k < paired; k += 1) {
      const [was, old] = removed[k];
      const [at, rule] = added[k];
      changes.push({ kind: "changed", at, was, before: old, after: rule, fields: fields.filter((f) => old[f] !== rule[f]) });
    }
    for (const [at, rule] of removed.slice(paired)) changes.push({ kind: "removed", at, rule });
    for (const [at, rule] of added.slice(paired)) changes.push({ kind: "added", at, rule });
    removed = [];
    added = [];
  };
  for (const op of ops) {
    if (op.kind === "same") flush();
    else if (op.kind === "removed") removed.push([op.i, before[op.i]]);
    else added.push([op.j, after[op.j]]);
  }
  flush();
  return movesOf(changes);
}

/** An addition of a rule that is also removed elsewhere is that rule moving. */
function movesOf(changes) {
  const result = [...changes];
  for (const add of changes.filter((c) => c.kind === "added")) {
    const k = result.findIndex((c) => c.kind === "removed" && sameRule(c.rule, add.rule));
    if (k < 0) continue;
    const removal = result[k];
    result.splice(k, 1);
    result[result.indexOf(add)] = { kind: "moved", at: add.at, was: removal.at, rule: add.rule };
  }
  return result;
}

/** The edit script of a longest common subsequence (rules compared on all four fields). */
function editScript(a, b) {
  const n = a.length;
  const m = b.length;
  // An ACL is short; past this size a diff by position is good enough and costs nothing.
  if (n * m > 4_000_000) return byPosition(a, b);
  const lcs = new Uint32Array((n + 1) * (m + 1));
  const at = (i, j) => i * (m + 1) + j;
  for (let i = n - 1; i >= 0; i -= 1) {
    for (let j = m - 1; j >= 0; j -= 1) {
      lcs[at(i, j)] = sameRule(a[i], b[j]) ? lcs[at(i + 1, j + 1)] + 1 : Math.max(lcs[at(i + 1, j)], lcs[at(i, j + 1)]);
    }
  }
  const ops = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && sameRule(a[i], b[j])) {
      ops.push({ kind: "same", i, j });
      i += 1;
      j += 1;
    } else if (j < m && (i === n || lcs[at(i, j + 1)] >= lcs[at(i + 1, j)])) {
      ops.push({ kind: "added", j });
      j += 1;
    } else {
      ops.push({ kind: "removed", i });
      i += 1;
    }
  }
  return ops;
}

function byPosition(a, b) {
  const ops = [];
  for (let k = 0; k < Math.max(a.length, b.length); k += 1) {
    if (k < a.length && k < b.length && sameRule(a[k], b[k])) ops.push({ kind: "same", i: k, j: k });
    else {
      if (k < a.length) ops.push({ kind: "removed", i: k });
      if (k < b.length) ops.push({ kind: "added", j: k });
    }
  }
  return ops;
}
