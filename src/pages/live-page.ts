/**
 * `/live`: a page that follows the story feed over graphql-ws and lists events as they arrive.
 * Entities are named (global IDs are looked up with `nodes`), and it says it is waiting until the
 * first event. Its script, `/assets/storygraph.js` (src/pages/page-client.ts), speaks graphql-ws itself,
 * so there is no bundle or CDN, and resumes from its last cursor after a reconnect.
 */
export const LIVE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>storygraph · live</title>
<link rel="icon" href="data:,">
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 860px; padding: 24px; color: #1d2430; }
  header { display: flex; align-items: baseline; justify-content: space-between; gap: 16px; }
  h1 { font-size: 22px; margin: 0 0 4px; }
  #status { font-size: 13px; padding: 2px 10px; border-radius: 10px; background: #eee; }
  #status.live { background: #d9f5df; color: #17622b; }
  #status.down { background: #fbe0e0; color: #8a1f1f; }
  ol { list-style: none; padding: 0; }
  li { border-left: 4px solid #8aa4c8; background: #f6f8fb; margin: 10px 0; padding: 8px 12px; }
  li.fresh { border-color: #2f9e4f; }
  .meta { color: #5b6676; font-size: 13px; }
  .label { font-weight: 600; }
  #waiting { color: #5b6676; background: #f6f8fb; border: 1px dashed #b8c4d6; padding: 14px 16px; border-radius: 6px; }
  .subject { color: #1d2430; }
  .change { font-size: 14px; }
  code { background: #eef1f6; padding: 0 4px; border-radius: 3px; }
</style>
</head>
<body>
<header>
  <div>
    <h1>storygraph: the story as it changes</h1>
    <div class="meta">Events from the story feed, newest first. See the <a href="/story">story view</a>, or open <a href="/graphql">GraphiQL</a> to query or edit.</div>
  </div>
  <span id="status">connecting</span>
</header>
<p id="waiting">Nothing has changed in the story yet. Waiting for the first edit…
  (<code>npm run demo</code> plays a few, or edit in <a href="/graphql">GraphiQL</a>.)</p>
<ol id="events"></ol>
<script src="/assets/storygraph.js"></script>
<script>
(() => {
  const { request, follow, names, forget, isId } = window.storygraph;
  const list = document.getElementById('events');
  const waiting = document.getElementById('waiting');
  const status = document.getElementById('status');
  const FIELDS = 'cursor sequence kind label entity entityId entityVersion changes { field before after } occurredAt';
  let cursor = null;
  // Events are shown in order even though naming them takes a round trip.
  let queue = Promise.resolve();

  function setStatus(text) {
    status.textContent = text;
    status.className = text === 'live' ? 'live' : text === 'connecting' ? '' : 'down';
  }

  function idsIn(value) {
    if (isId(value)) return [value];
    return Array.isArray(value) ? value.filter(isId) : [];
  }

  // A value as a reader wants it: names for IDs, JSON for everything else.
  function show(value, named) {
    if (isId(value)) return named.get(value) || 'a removed ' + window.storygraph.typeOf(value);
    if (Array.isArray(value) && value.length && value.every(isId)) {
      return value.map((id) => show(id, named)).join(', ');
    }
    return JSON.stringify(value);
  }

  async function render(event, fresh) {
    if (list.querySelector('[data-sequence="' + event.sequence + '"]')) return;
    // A new change may rename what it changed: ask again rather than trust the cache.
    if (fresh) forget(event.entityId);
    const ids = [event.entityId];
    for (const change of event.changes) ids.push(...idsIn(change.before), ...idsIn(change.after));
    const resolved = await names(ids);
    const named = new Map(ids.map((id, index) => [id, resolved[index]]));
    const item = document.createElement('li');
    item.dataset.sequence = event.sequence;
    if (fresh) item.className = 'fresh';
    const title = document.createElement('div');
    const label = document.createElement('span');
    label.className = 'label';
    label.textContent = '#' + event.sequence + ' ' + (event.label || event.kind);
    const subject = document.createElement('span');
    subject.className = 'subject';
    subject.textContent = ' · ' + event.entity + ': ' + (named.get(event.entityId) || 'removed') +
      ' (v' + event.entityVersion + ')';
    title.append(label, subject);
    item.appendChild(title);
    for (const change of event.changes) {
      const line = document.createElement('div');
      line.className = 'change';
      line.textContent = change.field + ': ' + show(change.before, named) + ' → ' + show(change.after, named);
      item.appendChild(line);
    }
    const meta = document.createElement('div');
    meta.className = 'meta';
    meta.textContent = new Date(event.occurredAt).toLocaleString();
    item.appendChild(meta);
    list.prepend(item);
    waiting.hidden = true;
    cursor = event.cursor;
  }

  function enqueue(event, fresh) {
    queue = queue.then(() => render(event, fresh)).catch((error) => console.error(error));
    return queue;
  }

  async function recent() {
    const data = await request(
      'query RecentStoryEvents { storyEvents(last: 20) { edges { node { ' + FIELDS + ' } } } }',
    );
    // One look-up names everything these events mention, instead of one per event.
    const ids = [];
    for (const { node } of data.storyEvents.edges) {
      ids.push(node.entityId);
      for (const change of node.changes) ids.push(...idsIn(change.before), ...idsIn(change.after));
    }
    await names(ids);
    for (const edge of data.storyEvents.edges) enqueue(edge.node, false);
    await queue;
  }

  recent()
    .catch((error) => console.error(error))
    .finally(() => {
      follow({
        query: 'subscription LiveStoryEvents($after: String) { storyEvents(after: $after) { ' + FIELDS + ' } }',
        after: cursor,
        onEvent: (event) => enqueue(event, true),
        onStatus: setStatus,
      });
    });
})();
</script>
</body>
</html>
`;
