// Which node runs each service instance: a pure function of the instances (with the node that
// holds each one now) and of the nodes' liveness, drain flag and tags. Every node computes it
// from the same facts, so it must not depend on input order: instances are processed sorted,
// and ties between nodes fall to rendezvous hashing rather than to whichever node came first.
//
// Policy, in order of precedence:
// - Sticky: an instance whose holder is still eligible stays there, so a node joining moves
//   nothing, except that spread evens out: a holder with two or more instances of a service
//   more than the emptiest eligible node gives its highest-numbered ones up; a node dying
//   moves only what it held.
// - Pinned instances (no placement: the registering node; or a single node) never move. A
//   draining node keeps the pinned instances it holds, because there is nowhere else they may
//   run and drain is a request, not a failure; it does not take a pinned instance it does not
//   hold yet (that one is 'unplaceable' until the drain ends). A pinned node that is down, or a
//   registering node that left, makes the instance 'lost'.
// - Movable instances go to alive, undrained nodes matching the placement; draining nodes keep
//   none of them.
//
// Node ids are assumed unique (membership keys them), as are instance names (one registration per
// service id).

/** Where a service's instances may run; absent means on the node that registered the service. */
export type Placement = 'any' | { node?: string; nodes?: string[]; tags?: string[]; strategy?: 'spread' | 'pack' };

/** A cluster member as placement sees it. */
export interface PlacementNode {
  id: string;
  tags: readonly string[];
  alive: boolean;
  draining: boolean;
}

/** One instance of a service to place, with the node holding its claim now, if any. */
export interface InstanceToPlace {
  service: string;
  instance: number;
  placement: Placement | undefined;
  registeredBy: string;
  holder: string | null;
}

/** The outcome for one instance; `moved` is true when the chosen node is not the holder. */
export type PlacementDecision =
  | { kind: 'placed'; node: string; moved: boolean; reason: string }
  | { kind: 'lost'; node: string; reason: string }
  | { kind: 'unplaceable'; reason: string };

/** The name of an instance, `<service>@<n>`, the key of placeInstances' map. */
export function instanceName(service: string, instance: number): string {
  return `${service}@${instance}`;
}

/** False when the placement pins the instance to one node (absent, `node`, or a one-node list). */
export function movable(placement: Placement | undefined): boolean {
  if (placement === undefined) return false;
  if (placement === 'any') return true;
  if (placement.node !== undefined) return false;
  return placement.nodes === undefined || new Set(placement.nodes).size !== 1;
}

/** Decides a node for every instance; the map lists them sorted by service, then instance. */
export function placeInstances(
  instances: readonly InstanceToPlace[],
  nodes: readonly PlacementNode[],
): Map<string, PlacementDecision> {
  const members = new Map<string, PlacementNode>();
  for (const n of [...nodes].sort((a, b) => compare(a.id, b.id))) members.set(n.id, n);
  const sorted = [...instances].sort((a, b) => compare(a.service, b.service) || a.instance - b.instance);
  const decided = new Map<string, PlacementDecision>();
  const ledger = new Ledger();
  const scopes = new Map<string, Scope>();
  const waiting: { inst: InstanceToPlace; name: string; scope: Scope; rebalanced?: boolean }[] = [];
  const sticky: { inst: InstanceToPlace; name: string; scope: Scope }[] = [];

  // Pinned and sticky instances first: they are not choices, and the counts the choices
  // balance against must already include them.
  for (const inst of sorted) {
    const name = instanceName(inst.service, inst.instance);
    if (inst.placement === undefined || !movable(inst.placement)) {
      const d = placePinned(inst, members);
      decided.set(name, d);
      if (d.kind === 'placed') ledger.add(inst.service, d.node);
      continue;
    }
    const scope = scopeOf(inst.placement, members, scopes);
    if (scope.nodes.length === 0) {
      decided.set(name, { kind: 'unplaceable', reason: scope.missing });
    } else if (inst.holder !== null && scope.ids.has(inst.holder)) {
      decided.set(name, { kind: 'placed', node: inst.holder, moved: false, reason: `stays on its holder ${inst.holder}` });
      ledger.add(inst.service, inst.holder);
      sticky.push({ inst, name, scope });
    } else {
      waiting.push({ inst, name, scope });
    }
  }

  waiting.push(...unbalanced(sticky, ledger).map((w) => ({ ...w, rebalanced: true })));
  for (const w of waiting) if (w.rebalanced === true) decided.delete(w.name);

  for (const { inst, name, scope, rebalanced } of waiting) {
    const pack = inst.placement !== 'any' && inst.placement?.strategy === 'pack';
    const node = pack ? choosePack(inst.service, scope.nodes, ledger) : chooseSpread(name, inst.service, scope.nodes, ledger);
    const how = pack ? `pack onto ${node} (most ${inst.service} instances)` : `spread to ${node} (fewest ${inst.service} instances)`;
    const why = inst.holder === null ? '' : rebalanced === true ? `rebalanced from ${inst.holder}; ` : `${holderGone(inst.holder, members)}; `;
    decided.set(name, { kind: 'placed', node, moved: inst.holder !== node, reason: why + how });
    ledger.add(inst.service, node);
  }

  const out = new Map<string, PlacementDecision>();
  for (const inst of sorted) {
    const name = instanceName(inst.service, inst.instance);
    out.set(name, decided.get(name) as PlacementDecision);
  }
  return out;
}

function placePinned(inst: InstanceToPlace, members: ReadonlyMap<string, PlacementNode>): PlacementDecision {
  const p = inst.placement;
  // 'any' is movable and never gets here; reading it as local keeps the types narrow.
  const local = p === undefined || p === 'any';
  const target = local ? inst.registeredBy : (p.node ?? (p.nodes?.[0] as string));
  if (!local && p.node !== undefined && p.nodes !== undefined && !p.nodes.includes(p.node)) {
    return { kind: 'unplaceable', reason: `node ${p.node} is not in placement.nodes (${unique(p.nodes).join(', ')})` };
  }
  const node = members.get(target);
  if (node === undefined) {
    // The registering node was a member once, so its absence means it left; a named node that
    // is not a member may never have existed (a typo), which no waiting will fix.
    return local
      ? { kind: 'lost', node: target, reason: `node ${target}, which registered it, left the cluster` }
      : { kind: 'unplaceable', reason: `node ${target} is not a member of the cluster` };
  }
  const missing = local ? [] : unique(p.tags ?? []).filter((t) => !node.tags.includes(t));
  if (missing.length > 0) return { kind: 'unplaceable', reason: `node ${target} lacks tags ${missing.join(', ')}` };
  if (!node.alive) return { kind: 'lost', node: target, reason: `node ${target} is down` };
  if (node.draining && inst.holder !== target) {
    return { kind: 'unplaceable', reason: `node ${target} is draining and takes nothing new` };
  }
  const pinned = local ? `pinned to ${target}, which registered it` : `pinned to ${target} by its placement`;
  const reason = node.draining ? `${pinned}; a drain does not move a pinned instance` : pinned;
  return { kind: 'placed', node: target, moved: inst.holder !== target, reason };
}

/** The eligible nodes of a movable placement, or what is missing when there are none. */
interface Scope {
  nodes: readonly PlacementNode[];
  ids: ReadonlySet<string>;
  missing: string;
}

function scopeOf(placement: Placement, members: ReadonlyMap<string, PlacementNode>, cache: Map<string, Scope>): Scope {
  const listed = placement === 'any' || placement.nodes === undefined ? null : unique(placement.nodes);
  const tags = placement === 'any' ? [] : unique(placement.tags ?? []);
  const key = JSON.stringify([listed, tags]);
  let scope = cache.get(key);
  if (scope === undefined) {
    scope = computeScope(listed, tags, members);
    cache.set(key, scope);
  }
  return scope;
}

function computeScope(listed: string[] | null, tags: string[], members: ReadonlyMap<string, PlacementNode>): Scope {
  const none = (missing: string): Scope => ({ nodes: [], ids: new Set(), missing });
  let candidates = [...members.values()];
  let among = '';
  let strangers = '';
  if (listed !== null) {
    if (listed.length === 0) return none('placement.nodes lists no node');
    const unknown = listed.filter((id) => !members.has(id));
    candidates = listed.filter((id) => members.has(id)).map((id) => members.get(id) as PlacementNode);
    strangers =
      unknown.length === 1
        ? `node ${unknown[0]} is not a member of the cluster`
        : `nodes ${unknown.join(', ')} are not members of the cluster`;
    if (candidates.length === 0) return none(strangers);
    among = ` among ${candidates.map((n) => n.id).join(', ')}`;
    // Unknown ids are tolerated while a listed member can take the instance; they are only
    // named when nothing can, as part of the explanation.
    strangers = unknown.length === 0 ? '' : `; ${strangers}`;
  }
  const live = candidates.filter((n) => n.alive);
  if (live.length === 0) return none(`no live node${among}${strangers}`);
  const tagged = live.filter((n) => tags.every((t) => n.tags.includes(t)));
  const withTags = tags.length === 0 ? '' : ` has tags ${tags.join(', ')}`;
  if (tagged.length === 0) return none(`no live node${among}${withTags}${strangers}`);
  const open = tagged.filter((n) => !n.draining);
  if (open.length === 0) {
    const which = tags.length === 0 ? '' : ` with tags ${tags.join(', ')}`;
    return none(`every live node${among}${which} is draining${strangers}`);
  }
  return { nodes: open, ids: new Set(open.map((n) => n.id)), missing: '' };
}

function holderGone(holder: string, members: ReadonlyMap<string, PlacementNode>): string {
  const node = members.get(holder);
  if (node === undefined) return `holder ${holder} left the cluster`;
  if (!node.alive) return `holder ${holder} is down`;
  if (node.draining) return `holder ${holder} is draining`;
  return `holder ${holder} does not match the placement`;
}

// Spread means spread: nodes that join after a service was placed (or that come back) would
// otherwise stay empty while one node holds several instances. A holder keeps its instances
// unless it has two or more instances of the service more than the emptiest eligible node;
// then its highest-numbered ones move, one at a time, until the counts differ by at most one.
// Taken out of the ledger here, they are placed again like any waiting instance.
function unbalanced<T extends { inst: InstanceToPlace; name: string; scope: Scope }>(sticky: readonly T[], ledger: Ledger): T[] {
  const moved: T[] = [];
  const byService = new Map<string, T[]>();
  for (const s of sticky) {
    if (s.inst.placement !== 'any' && s.inst.placement?.strategy === 'pack') continue;
    byService.set(s.inst.service, [...(byService.get(s.inst.service) ?? []), s]);
  }
  for (const [service, list] of byService) {
    const scope = (list[0] as T).scope;
    const left = [...list].sort((a, b) => b.inst.instance - a.inst.instance);
    for (;;) {
      const counts = scope.nodes.map((n) => ledger.serviceOn(service, n.id));
      const min = Math.min(...counts);
      let fullest: string | null = null;
      let most = -1;
      for (const n of scope.nodes) {
        const c = ledger.serviceOn(service, n.id);
        if (c > most || (c === most && fullest !== null && n.id < fullest)) [fullest, most] = [n.id, c];
      }
      if (fullest === null || most - min < 2) break;
      const take = left.findIndex((s) => s.inst.holder === fullest);
      if (take < 0) break;
      const [s] = left.splice(take, 1) as [T];
      ledger.remove(service, fullest);
      moved.push(s);
    }
  }
  return moved;
}

/** Instances decided so far, per node and per service and node. */
class Ledger {
  private readonly total = new Map<string, number>();
  private readonly byService = new Map<string, Map<string, number>>();

  add(service: string, node: string): void {
    this.total.set(node, this.totalOn(node) + 1);
    let counts = this.byService.get(service);
    if (counts === undefined) this.byService.set(service, (counts = new Map()));
    counts.set(node, (counts.get(node) ?? 0) + 1);
  }

  remove(service: string, node: string): void {
    this.total.set(node, this.totalOn(node) - 1);
    const counts = this.byService.get(service);
    counts?.set(node, (counts.get(node) ?? 1) - 1);
  }

  totalOn(node: string): number {
    return this.total.get(node) ?? 0;
  }

  serviceOn(service: string, node: string): number {
    return this.byService.get(service)?.get(node) ?? 0;
  }
}

// Fewest of this service, then fewest overall, then the highest rendezvous weight of
// (instance, node): the weight is what makes the choice independent of the nodes' order while
// spreading a service's instances differently from another's.
function chooseSpread(name: string, service: string, nodes: readonly PlacementNode[], ledger: Ledger): string {
  let best = nodes[0] as PlacementNode;
  let bestSame = ledger.serviceOn(service, best.id);
  let bestTotal = ledger.totalOn(best.id);
  let bestWeight = -1;
  for (let i = 1; i < nodes.length; i++) {
    const n = nodes[i] as PlacementNode;
    const same = ledger.serviceOn(service, n.id);
    const total = ledger.totalOn(n.id);
    if (same > bestSame || (same === bestSame && total > bestTotal)) continue;
    if (same === bestSame && total === bestTotal) {
      // Weights are computed only on a tie, which is most of the time for a fresh service but
      // saves the hashing once counts differ.
      if (bestWeight < 0) bestWeight = weight(name, best.id);
      const w = weight(name, n.id);
      if (w < bestWeight || (w === bestWeight && n.id > best.id)) continue;
      bestWeight = w;
    } else {
      bestWeight = -1;
    }
    best = n;
    bestSame = same;
    bestTotal = total;
  }
  return best.id;
}

// Most of this service, then the highest weight of (service, node): every instance of a fresh
// service lands where the first one did.
function choosePack(service: string, nodes: readonly PlacementNode[], ledger: Ledger): string {
  let best = nodes[0] as PlacementNode;
  let bestSame = ledger.serviceOn(service, best.id);
  let bestWeight = weight(service, best.id);
  for (let i = 1; i < nodes.length; i++) {
    const n = nodes[i] as PlacementNode;
    const same = ledger.serviceOn(service, n.id);
    if (same < bestSame) continue;
    const w = weight(service, n.id);
    if (same === bestSame && (w < bestWeight || (w === bestWeight && n.id > best.id))) continue;
    best = n;
    bestSame = same;
    bestWeight = w;
  }
  return best.id;
}

function weight(key: string, node: string): number {
  // Ids are subject tokens (letters, digits, '-', '_'), never NUL, so ("a", "bc") and ("ab", "c") differ.
  return hash53(`${key}\u0000${node}`);
}

/** A 53-bit string hash (two multiplicative 32-bit lanes, cyrb53-style): fast, stable, not cryptographic. */
function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

// Code-unit order, not localeCompare: every node must sort the same way whatever its locale.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)].sort(compare);
}
