/**
 * `/live`: a page that follows the story feed over graphql-ws and lists events as they arrive.
 * It speaks the graphql-transport-ws protocol directly (a dozen lines), so it needs no bundle or
 * CDN, and it resumes from its last cursor after a reconnect, like any client should.
 */
export const LIVE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>storygraph · live</title>
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
  code { background: #eef1f6; padding: 0 4px; border-radius: 3px; }
</style>
</head>
<body>
<header>
  <div>
    <h1>storygraph: the story as it changes</h1>
    <div class="meta">Events from the story feed, newest first. Open <a href="/graphql">GraphiQL</a> to query or edit.</div>
  </div>
  <span id="status">connecting</span>
</header>
<ol id="events"></ol>
<script>
(() => {
  const endpoint = location.origin + '/graphql';
  const list = document.getElementById('events');
  const status = document.getElementById('status');
  const FIELDS = 'cursor sequence kind label entity entityId entityVersion changes { field before after } occurredAt';
  let cursor = null;

  function setStatus(text, kind) { status.textContent = text; status.className = kind || ''; }

  function render(event, fresh) {
    if (list.querySelector('[data-sequence="' + event.sequence + '"]')) return;
    const item = document.createElement('li');
    item.dataset.sequence = event.sequence;
    if (fresh) item.className = 'fresh';
    const title = document.createElement('div');
    const label = document.createElement('span');
    label.className = 'label';
    label.textContent = '#' + event.sequence + ' ' + (event.label || event.kind) + ' · ' + event.entity + ' v' + event.entityVersion;
    title.appendChild(label);
    item.appendChild(title);
    for (const change of event.changes) {
      const line = document.createElement('div');
      line.textContent = change.field + ': ' + JSON.stringify(change.before) + ' → ' + JSON.stringify(change.after);
      item.appendChild(line);
    }
    const meta = document.createElement('div');
    meta.className = 'meta';
    meta.textContent = new Date(event.occurredAt).toLocaleString();
    item.appendChild(meta);
    list.prepend(item);
    cursor = event.cursor;
  }

  async function recent() {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ storyEvents(last: 20) { edges { node { ' + FIELDS + ' } } } }' }),
    });
    const body = await response.json();
    for (const edge of body.data.storyEvents.edges) render(edge.node, false);
  }

  function connect() {
    const socket = new WebSocket(endpoint.replace(/^http/, 'ws'), 'graphql-transport-ws');
    socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
    socket.onmessage = (message) => {
      const data = JSON.parse(message.data);
      if (data.type === 'connection_ack') {
        setStatus('live', 'live');
        socket.send(JSON.stringify({
          id: 'feed',
          type: 'subscribe',
          payload: {
            query: 'subscription ($after: String) { storyEvents(after: $after) { ' + FIELDS + ' } }',
            variables: { after: cursor },
          },
        }));
      } else if (data.type === 'next' && data.payload.data) {
        render(data.payload.data.storyEvents, true);
      } else if (data.type === 'ping') {
        socket.send(JSON.stringify({ type: 'pong' }));
      }
    };
    socket.onclose = () => {
      setStatus('reconnecting', 'down');
      setTimeout(connect, 2000);
    };
  }

  recent().catch(() => {}).finally(connect);
})();
</script>
</body>
</html>
`;
