import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Plugin } from 'graphql-yoga';
import { LIVE_PAGE } from './live-page.ts';
import { PAGE_CLIENT_SCRIPT } from './page-client.ts';

/**
 * `/story`: the story as a graph (cytoscape) and a timeline of its dated facts, both redrawn from
 * the story feed as edits commit. The page reads the whole story with one query, `StoryView`,
 * then follows `storyEvents` from the cursor that query saw, reading the story again (coalesced)
 * after each event, so it shows what the API shows and nothing is missed between the two.
 */
export const STORY_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>storygraph · story</title>
<link rel="icon" href="data:,">
<style>
  :root { --leader: #3867d6; --organization: #20946b; --summit: #e07b16; --article: #8854d0; --ink: #1d2430; --muted: #5b6676; }
  * { box-sizing: border-box; }
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: var(--ink); background: #f3f5f9; height: 100vh; display: flex; flex-direction: column; }
  header { display: flex; align-items: center; justify-content: space-between; gap: 16px; padding: 12px 20px; background: #fff; border-bottom: 1px solid #dde3ec; }
  h1 { font-size: 19px; margin: 0; }
  .meta { color: var(--muted); font-size: 12.5px; }
  .meta a { color: inherit; }
  #status { font-size: 12.5px; padding: 2px 10px; border-radius: 10px; background: #eee; white-space: nowrap; }
  #status.live { background: #d9f5df; color: #17622b; }
  #status.down { background: #fbe0e0; color: #8a1f1f; }
  .legend { display: flex; gap: 12px; flex-wrap: wrap; font-size: 12.5px; color: var(--muted); }
  .legend span::before { content: ''; display: inline-block; width: 10px; height: 10px; margin-right: 5px; border-radius: 50%; vertical-align: -1px; background: var(--c); }
  main { flex: 1; display: grid; grid-template-columns: minmax(0, 1fr) 400px; gap: 14px; padding: 14px; min-height: 0; }
  section { background: #fff; border: 1px solid #dde3ec; border-radius: 8px; display: flex; flex-direction: column; min-height: 0; }
  section h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: 0; padding: 10px 14px; border-bottom: 1px solid #eef1f6; display: flex; justify-content: space-between; }
  #graph { flex: 1; min-height: 360px; }
  #latest { font-size: 12.5px; color: var(--muted); padding: 8px 14px; border-top: 1px solid #eef1f6; min-height: 34px; }
  #latest b { color: var(--ink); font-weight: 600; }
  #timeline { list-style: none; margin: 0; padding: 10px 14px 16px 14px; overflow-y: auto; flex: 1; }
  #timeline .year { font-weight: 700; color: var(--muted); font-size: 12px; margin: 12px 0 4px 0; padding-left: 94px; }
  .fact { position: relative; display: grid; grid-template-columns: 84px 1fr; gap: 10px; padding: 6px 0; transition: background .6s; border-radius: 6px; }
  .fact::before { content: ''; position: absolute; left: 93px; top: 0; bottom: 0; width: 2px; background: #e2e7ef; }
  .fact .when { text-align: right; font-size: 12px; color: var(--muted); padding-top: 2px; font-variant-numeric: tabular-nums; }
  .fact .what { position: relative; padding-left: 14px; }
  .fact .what::before { content: ''; position: absolute; left: -4px; top: 5px; width: 10px; height: 10px; border-radius: 50%; background: var(--c); border: 2px solid #fff; box-shadow: 0 0 0 1px var(--c); }
  .fact.span .what::before { border-radius: 2px; }
  .fact .title { font-weight: 600; }
  .fact .detail { color: var(--muted); font-size: 12.5px; }
  .fact .tag { display: inline-block; font-size: 11px; font-weight: 600; padding: 0 6px; border-radius: 8px; background: #eef1f6; color: var(--ink); margin-left: 4px; }
  .fact.fresh { background: #fff7d6; }
  .summit { --c: var(--summit); } .membership { --c: var(--organization); } .article { --c: var(--article); }
  #waiting { color: var(--muted); padding: 14px; }
</style>
</head>
<body>
<header>
  <div>
    <h1>storygraph: the story</h1>
    <div class="meta">Who and what the story links, and when things happen. Redrawn as edits arrive; see <a href="/live">/live</a> for the raw feed, <a href="/graphql">GraphiQL</a> to query or edit.</div>
  </div>
  <div class="legend">
    <span style="--c: var(--leader)">leader</span>
    <span style="--c: var(--organization)">organization</span>
    <span style="--c: var(--summit)">summit</span>
    <span style="--c: var(--article)">article</span>
  </div>
  <span id="status">connecting</span>
</header>
<main>
  <section>
    <h2><span>Graph</span><span id="counts"></span></h2>
    <div id="graph" aria-label="The story's graph"></div>
    <div id="latest">Edits show up here, and in both views, as they are made.</div>
  </section>
  <section>
    <h2><span>Timeline</span><span id="fact-count"></span></h2>
    <ol id="timeline"><li id="waiting">Loading the story…</li></ol>
  </section>
</main>
<script src="/assets/cytoscape.min.js"></script>
<script src="/assets/storygraph.js"></script>
<script>
(() => {
  const { request, follow, names, forget } = window.storygraph;
  const STORY_QUERY = [
    'query StoryView {',
    '  leaders(first: 100) { totalCount edges { node { id name title country',
    '    memberships(first: 100) { edges { node { id role startedOn startedOnPrecision endedOn endedOnPrecision organization { id } } } }',
    '    participations(first: 100) { edges { node { id status note summit { id } } } } } } }',
    '  organizations(first: 100) { totalCount edges { node { id name acronym kind } } }',
    '  summits(first: 100) { totalCount edges { node { id name city country startsOn startsOnPrecision endsOn endsOnPrecision status organizer { id } } } }',
    '  articles(first: 100) { totalCount edges { node { id headline source publishedAt',
    '    leaders(first: 100) { edges { node { leader { id } } } }',
    '    organizations(first: 100) { edges { node { organization { id } } } }',
    '    summits(first: 100) { edges { node { summit { id } } } } } } }',
    '  storyEvents(last: 1) { edges { cursor } }',
    '}',
  ].join('\\n');
  const EVENT_FIELDS = 'cursor sequence kind label entity entityId relatedIds occurredAt';
  // The position before the first event: following from it replays the whole (empty) log.
  const START = 'c3RvcnlFdmVudDow';
  const COLORS = { Leader: '#3867d6', Organization: '#20946b', Summit: '#e07b16', Article: '#8854d0' };
  const statusEl = document.getElementById('status');
  const latest = document.getElementById('latest');
  const timeline = document.getElementById('timeline');

  const cy = cytoscape({
    container: document.getElementById('graph'),
    minZoom: 0.3,
    maxZoom: 2.5,
    style: [
      { selector: 'node', style: {
        'background-color': 'data(color)', label: 'data(label)', color: '#1d2430',
        'font-size': 12, 'text-wrap': 'wrap', 'text-max-width': 150, 'text-valign': 'bottom',
        'text-margin-y': 5, width: 30, height: 30, 'border-width': 2, 'border-color': '#fff',
        'text-background-color': '#fff', 'text-background-opacity': 0.85, 'text-background-padding': 2,
      } },
      { selector: 'node[type = "Leader"]', style: { width: 40, height: 40, 'font-weight': 600 } },
      { selector: 'node[type = "Organization"]', style: { shape: 'round-rectangle', width: 34, height: 26 } },
      { selector: 'node[type = "Summit"]', style: { shape: 'diamond', width: 38, height: 38 } },
      { selector: 'node[type = "Article"]', style: { shape: 'round-tag', width: 30, height: 30, 'text-max-width': 190 } },
      { selector: 'node[status = "CANCELLED"], node[status = "POSTPONED"]', style: { 'background-opacity': 0.45, 'border-style': 'dashed', 'border-color': '#999' } },
      { selector: 'edge', style: {
        width: 1.6, 'curve-style': 'bezier', 'line-color': '#b7c0ce', 'target-arrow-shape': 'triangle',
        'target-arrow-color': '#b7c0ce', 'arrow-scale': 0.8, label: 'data(label)', 'font-size': 9.5,
        color: '#5b6676', 'text-rotation': 'autorotate', 'text-background-color': '#fff',
        'text-background-opacity': 0.9, 'text-background-padding': 1,
      } },
      { selector: 'edge[kind = "mention"]', style: { 'line-style': 'dotted', 'line-color': '#c9b6e6', 'target-arrow-color': '#c9b6e6', width: 1.2 } },
      { selector: 'edge[kind = "membership"]', style: { 'line-color': '#7cc3a6', 'target-arrow-color': '#7cc3a6', width: 2 } },
      { selector: 'edge[kind = "membership"][?ended]', style: { 'line-style': 'dashed', opacity: 0.6 } },
      { selector: 'edge[kind = "participation"]', style: { 'line-color': '#f0b36e', 'target-arrow-color': '#f0b36e', width: 2.4 } },
      { selector: 'edge[status = "CONFIRMED"], edge[status = "ATTENDED"]', style: { 'line-color': '#e07b16', 'target-arrow-color': '#e07b16', width: 3 } },
      { selector: 'edge[status = "WITHDRAWN"]', style: { 'line-style': 'dashed', opacity: 0.55 } },
      { selector: 'edge[kind = "organizer"]', style: { 'line-color': '#20946b', 'target-arrow-color': '#20946b', width: 1.6, 'line-style': 'dashed' } },
      { selector: '.fresh', style: { 'underlay-color': '#ffd43b', 'underlay-opacity': 0.65, 'underlay-padding': 7 } },
      { selector: 'edge.fresh', style: { 'underlay-padding': 3 } },
    ],
  });

  function short(text, length) {
    return text.length > length ? text.slice(0, length - 1).trimEnd() + '…' : text;
  }
  function words(status) {
    return status.toLowerCase().replace(/_/g, ' ');
  }
  const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  function day(date, precision) {
    const [year, month, dayOfMonth] = date.split('-').map(Number);
    if (precision === 'YEAR') return String(year);
    if (precision === 'MONTH') return MONTHS[month - 1] + ' ' + year;
    return dayOfMonth + ' ' + MONTHS[month - 1] + ' ' + year;
  }

  // The story as cytoscape elements, keyed by id.
  function elementsOf(story) {
    const elements = [];
    const node = (id, type, label, extra) =>
      elements.push({ group: 'nodes', data: { id, type, label, color: COLORS[type], ...extra } });
    const edge = (id, kind, source, target, label, extra) =>
      elements.push({ group: 'edges', data: { id, kind, source, target, label, ...extra } });
    for (const { node: o } of story.organizations.edges) node(o.id, 'Organization', o.acronym || short(o.name, 30), { name: o.name });
    for (const { node: s } of story.summits.edges) {
      node(s.id, 'Summit', s.name + '\\n' + words(s.status), { status: s.status, name: s.name });
      if (s.organizer) edge('organizer:' + s.id, 'organizer', s.organizer.id, s.id, 'organizes');
    }
    for (const { node: l } of story.leaders.edges) {
      node(l.id, 'Leader', l.name, { name: l.name + ', ' + l.title });
      for (const { node: m } of l.memberships.edges) {
        edge(m.id, 'membership', l.id, m.organization.id, m.endedOn ? 'former member' : 'member', { ended: Boolean(m.endedOn), name: l.name + ': ' + m.role });
      }
      for (const { node: p } of l.participations.edges) {
        edge(p.id, 'participation', l.id, p.summit.id, words(p.status), { status: p.status, name: l.name + ': ' + words(p.status) + (p.note ? ' (' + p.note + ')' : '') });
      }
    }
    for (const { node: a } of story.articles.edges) {
      node(a.id, 'Article', short(a.headline, 60), { name: a.headline });
      const mentioned = [
        ...a.leaders.edges.map((e) => e.node.leader.id),
        ...a.organizations.edges.map((e) => e.node.organization.id),
        ...a.summits.edges.map((e) => e.node.summit.id),
      ];
      for (const id of mentioned) edge('mention:' + a.id + ':' + id, 'mention', a.id, id, '');
    }
    return elements;
  }

  // The four kinds of node link to one another pairwise except articles, which link to all three
  // others: so articles sit in the middle and leaders, summits and organizations each get a
  // sector of the ring around them, and links between kinds cross as little as they can.
  const SECTORS = { Leader: -90, Summit: 30, Organization: 150 };
  // Wide panels get a wider ring, so the graph fills them.
  function stretch() {
    const box = document.getElementById('graph').getBoundingClientRect();
    return Math.max(1, Math.min(1.6, box.width / Math.max(box.height, 1)));
  }
  function layout(animate) {
    const byType = { Leader: [], Summit: [], Organization: [], Article: [] };
    cy.nodes()
      .sort((a, b) => a.data('label').localeCompare(b.data('label')))
      .forEach((n) => byType[n.data('type')].push(n));
    const positions = {};
    const angles = {};
    const radius = 250;
    // Leaders first, in name order; then each other kind in the order of the mean angle of the
    // leaders and summits it links to, so that links fan out instead of crossing.
    for (const type of ['Leader', 'Summit', 'Organization']) {
      const center = SECTORS[type];
      const pull = (n) => {
        const placed = n.neighborhood('node').filter((m) => angles[m.id()] !== undefined);
        if (placed.empty()) return 0;
        let sum = 0;
        placed.forEach((m) => {
          sum += ((angles[m.id()] - center + 540) % 360) - 180;
        });
        return sum / placed.length;
      };
      const list = type === 'Leader' ? byType[type] : byType[type].sort((a, b) => pull(a) - pull(b));
      const spread = Math.min(104, 30 * (list.length - 1));
      list.forEach((n, i) => {
        const step = list.length > 1 ? spread / (list.length - 1) : 0;
        const degrees = center - spread / 2 + step * i;
        const angle = (degrees * Math.PI) / 180;
        // Crowded sectors alternate between two rings, so labels do not collide.
        const r = radius + (list.length > 6 && i % 2 ? 90 : 0);
        angles[n.id()] = degrees;
        positions[n.id()] = { x: r * Math.cos(angle) * stretch(), y: r * Math.sin(angle) };
      });
    }
    const articles = byType.Article;
    const columns = Math.ceil(articles.length / 4);
    articles.forEach((n, i) => {
      const column = Math.floor(i / 4);
      const rows = Math.min(4, articles.length - column * 4);
      positions[n.id()] = { x: (column - (columns - 1) / 2) * 150, y: (i % 4 - (rows - 1) / 2) * 64 + 10 };
    });
    cy.layout({
      name: 'preset',
      positions: (n) => positions[n.id()],
      fit: true,
      padding: 36,
      animate,
      animationDuration: 400,
    }).run();
  }

  function drawGraph(story) {
    const wanted = elementsOf(story);
    const ids = new Set(wanted.map((element) => element.data.id));
    let structural = false;
    cy.batch(() => {
      cy.elements().forEach((element) => {
        if (!ids.has(element.id())) {
          element.remove();
          structural = true;
        }
      });
      for (const element of wanted) {
        const existing = cy.getElementById(element.data.id);
        if (existing.nonempty()) {
          existing.data(element.data);
        } else {
          cy.add(element);
          structural = true;
        }
      }
    });
    if (structural) layout(drawn);
    // One page of each kind is drawn; say so when the story is larger than that.
    const total = ['leaders', 'organizations', 'summits', 'articles']
      .reduce((sum, kind) => sum + story[kind].totalCount, 0);
    document.getElementById('counts').textContent =
      (total > cy.nodes().length ? 'the first ' + cy.nodes().length + ' of ' + total : cy.nodes().length) +
      ' nodes · ' + cy.edges().length + ' links';
  }

  // Dated facts: summits (first to last day), memberships (their span), articles (publication).
  function factsOf(story) {
    const facts = [];
    const organizations = new Map(story.organizations.edges.map((e) => [e.node.id, e.node]));
    for (const { node: s } of story.summits.edges) {
      const when = s.endsOn && s.endsOn !== s.startsOn
        ? day(s.startsOn, s.startsOnPrecision) + ' – ' + day(s.endsOn, s.endsOnPrecision)
        : day(s.startsOn, s.startsOnPrecision);
      facts.push({ id: s.id, kind: 'summit', date: s.startsOn, span: Boolean(s.endsOn),
        title: s.name, tag: words(s.status), detail: s.city + ', ' + s.country + ' · ' + when });
    }
    for (const { node: l } of story.leaders.edges) {
      for (const { node: m } of l.memberships.edges) {
        const date = m.startedOn || m.endedOn;
        if (!date) continue;
        const organization = organizations.get(m.organization.id);
        const from = m.startedOn ? day(m.startedOn, m.startedOnPrecision) : 'unknown';
        const to = m.endedOn ? day(m.endedOn, m.endedOnPrecision) : 'now';
        facts.push({ id: m.id, kind: 'membership', date, span: true,
          title: l.name + ' · ' + (organization ? organization.acronym || organization.name : 'organization'),
          detail: m.role + ' · ' + from + ' – ' + to });
      }
    }
    for (const { node: a } of story.articles.edges) {
      facts.push({ id: a.id, kind: 'article', date: a.publishedAt.slice(0, 10), span: false,
        title: a.headline, detail: 'published by ' + a.source + ' · ' + day(a.publishedAt.slice(0, 10), 'DAY') });
    }
    const order = { membership: 0, summit: 1, article: 2 };
    return facts.sort((a, b) => a.date.localeCompare(b.date) || order[a.kind] - order[b.kind] || a.title.localeCompare(b.title));
  }

  function drawTimeline(story) {
    const facts = factsOf(story);
    const items = [];
    let year = null;
    for (const fact of facts) {
      if (fact.date.slice(0, 4) !== year) {
        year = fact.date.slice(0, 4);
        const heading = document.createElement('li');
        heading.className = 'year';
        heading.textContent = year;
        items.push(heading);
      }
      const item = document.createElement('li');
      item.className = 'fact ' + fact.kind + (fact.span ? ' span' : '');
      item.dataset.id = fact.id;
      item.dataset.kind = fact.kind;
      const when = document.createElement('div');
      when.className = 'when';
      when.textContent = day(fact.date, 'DAY').replace(/ \\d{4}$/, '');
      const what = document.createElement('div');
      what.className = 'what';
      const title = document.createElement('div');
      title.className = 'title';
      title.textContent = fact.title;
      if (fact.tag) {
        const tag = document.createElement('span');
        tag.className = 'tag';
        tag.textContent = fact.tag;
        title.appendChild(tag);
      }
      const detail = document.createElement('div');
      detail.className = 'detail';
      detail.textContent = fact.detail;
      what.append(title, detail);
      item.append(when, what);
      items.push(item);
    }
    if (items.length === 0) {
      const empty = document.createElement('li');
      empty.id = 'waiting';
      empty.textContent = 'Nothing dated in the story yet: summits, memberships with dates and ' +
        'articles appear here as they are added.';
      items.push(empty);
    }
    timeline.replaceChildren(...items);
    document.getElementById('fact-count').textContent = facts.length + ' dated facts';
  }

  // Marks what an event touched, in both views, for a few seconds, and brings the first of those
  // facts into view in the timeline (unless the reader has scrolled it themselves).
  const freshIds = new Map();
  let focus = [];
  let readerScrolled = false;
  timeline.addEventListener('wheel', () => {
    readerScrolled = true;
  }, { passive: true });
  function markFresh(ids) {
    const until = Date.now() + 6000;
    for (const id of ids) freshIds.set(id, until);
    focus = ids;
    paintFresh();
    setTimeout(paintFresh, 6100);
  }
  function paintFresh() {
    const now = Date.now();
    for (const [id, until] of freshIds) if (until <= now) freshIds.delete(id);
    cy.elements().forEach((element) => element.toggleClass('fresh', freshIds.has(element.id())));
    for (const item of timeline.querySelectorAll('.fact')) {
      item.classList.toggle('fresh', freshIds.has(item.dataset.id));
    }
    for (const id of focus) {
      const item = timeline.querySelector('.fact[data-id="' + CSS.escape(id) + '"]');
      if (!item) continue;
      if (!readerScrolled) item.scrollIntoView({ block: 'nearest' });
      focus = [];
      break;
    }
  }

  let drawn = false;
  let version = 0;
  // For tests and the curious: the graph, how often the story was drawn, events seen, layouts run.
  const view = { cy, version: 0, events: 0, layouts: 0, ready: false };
  window.storyView = view;
  cy.on('layoutstop', () => {
    view.layouts += 1;
  });

  async function load() {
    const story = await request(STORY_QUERY);
    drawGraph(story);
    drawTimeline(story);
    paintFresh();
    drawn = true;
    view.version = ++version;
    view.ready = true;
    return story;
  }

  // Reads after events are coalesced: a burst of edits costs one or two reads, not one each.
  let reading = null;
  let again = false;
  function reload() {
    if (reading) {
      again = true;
      return reading;
    }
    reading = load()
      .catch((error) => console.error(error))
      .finally(() => {
        reading = null;
        if (again) {
          again = false;
          reload();
        }
      });
    return reading;
  }

  async function announce(event) {
    forget(event.entityId);
    const [name] = await names([event.entityId]);
    latest.replaceChildren();
    const what = document.createElement('b');
    what.textContent = '#' + event.sequence + ' ' + (event.label || event.kind).toLowerCase().replace(/_/g, ' ');
    latest.append('Latest: ', what, ' · ' + event.entity + ': ' + (name || 'removed') + ' · ' +
      new Date(event.occurredAt).toLocaleTimeString());
  }

  // Tapping a node or a link names it in full below the graph (labels there are shortened).
  cy.on('tap', 'node, edge', (tap) => {
    const data = tap.target.data();
    const what = data.type || data.kind;
    latest.replaceChildren();
    const name = document.createElement('b');
    name.textContent = data.name || data.label || '';
    latest.append(what + ': ', name);
  });

  function setStatus(text) {
    statusEl.textContent = text;
    statusEl.className = text === 'live' ? 'live' : 'down';
  }

  load()
    .then((story) => {
      const last = story.storyEvents.edges[0];
      follow({
        query: 'subscription StoryViewEvents($after: String) { storyEvents(after: $after) { ' + EVENT_FIELDS + ' } }',
        after: last ? last.cursor : START,
        onStatus: setStatus,
        onEvent: (event) => {
          view.events += 1;
          markFresh([event.entityId, ...event.relatedIds]);
          announce(event).catch((error) => console.error(error));
          reload().then(paintFresh);
        },
      });
    })
    .catch((error) => {
      setStatus('failed to load');
      timeline.replaceChildren(Object.assign(document.createElement('li'), { id: 'waiting', textContent: String(error.message || error) }));
    });
})();
</script>
</body>
</html>
`;

const require = createRequire(import.meta.url);

/** Static files of the pages, by path: read once, on first request. */
const ASSETS: Record<string, { type: string; load: () => Promise<string> }> = {
  '/assets/storygraph.js': {
    type: 'text/javascript; charset=utf-8',
    load: async () => PAGE_CLIENT_SCRIPT,
  },
  // Served from the installed package (its UMD build defines `window.cytoscape`): no CDN.
  '/assets/cytoscape.min.js': {
    type: 'text/javascript; charset=utf-8',
    load: () => readFile(require.resolve('cytoscape/dist/cytoscape.min.js'), 'utf8'),
  },
};

/** The pages a person opens: the live console and the story view. */
const PAGES: Record<string, string> = { '/live': LIVE_PAGE, '/story': STORY_PAGE };

/**
 * Serves `/live`, `/story` and the scripts they load (the graph library from its npm package).
 * The pages hold no data: they read the story through `/graphql` like any client.
 */
export function useStoryPages(): Plugin {
  const loaded = new Map<string, Promise<string>>();
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      const page = PAGES[url.pathname];
      if (page) {
        endResponse(
          new fetchAPI.Response(page, { headers: { 'content-type': 'text/html; charset=utf-8' } }),
        );
        return;
      }
      const asset = ASSETS[url.pathname];
      if (!asset) return;
      let body = loaded.get(url.pathname);
      if (!body) {
        body = asset.load();
        loaded.set(url.pathname, body);
        body.catch(() => loaded.delete(url.pathname));
      }
      endResponse(
        new fetchAPI.Response(await body, {
          headers: { 'content-type': asset.type, 'cache-control': 'public, max-age=3600' },
        }),
      );
    },
  };
}
