// The operator console: plain DOM, no framework, nothing from another origin. Every value from the
// server is set as text (textContent), never as HTML: addresses, subjects and errors come from
// strangers' mail servers and Creatio instances.
'use strict';

const STATES = ['listening', 'connecting', 'reconnecting', 'unreachable', 'auth-failed', 'failed',
  'waiting-for-capacity', 'unowned'];
const PAGE_SIZE = 50;
const OVERVIEW_EVERY_MS = 3000;
const LIST_EVERY_MS = 5000;

let page = 0;
let total = 0;
let selected = null;

const $ = (id) => document.getElementById(id);
const kebab = (name) => (name || '').toLowerCase().replace(/_/g, '-');

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function row(cells) {
  const tr = document.createElement('tr');
  cells.forEach((cell) => {
    const td = document.createElement('td');
    if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell === null || cell === undefined ? '' : String(cell);
    tr.appendChild(td);
  });
  return tr;
}

function ago(iso) {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 90) return seconds + ' s ago';
  if (seconds < 5400) return Math.round(seconds / 60) + ' min ago';
  if (seconds < 172800) return Math.round(seconds / 3600) + ' h ago';
  return Math.round(seconds / 86400) + ' d ago';
}

async function call(method, path) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-Requested-With'] = 'operator-console';
  // Against the origin, not the page's address: opened as http://user:key@host/…, a relative URL would
  // carry the credentials, and fetch refuses those.
  const response = await fetch(new URL(path, window.location.origin), { method, headers, credentials: 'same-origin' });
  const body = await response.text();
  let json = null;
  try { json = body ? JSON.parse(body) : null; } catch (e) { json = null; }
  if (!response.ok) {
    const reason = json && (json.message || json.error) ? (json.message || json.error) : response.statusText;
    throw new Error(response.status + ' ' + reason);
  }
  return json;
}

function fill(select, values, keep) {
  const current = select.value;
  while (select.options.length > 1) select.remove(1);
  values.forEach((value) => { const option = el('option', value); option.value = value; select.appendChild(option); });
  if (keep && values.includes(current)) select.value = current;
}

function replace(tbody, rows) {
  tbody.replaceChildren(...rows);
}

async function refreshOverview() {
  const overview = await call('GET', '/operator/overview');
  $('total-mailboxes').textContent = overview.mailboxes;
  $('by-protocol').replaceChildren(...Object.entries(overview.byProtocol)
    .map(([protocol, count]) => el('li', protocol + ': ' + count)));
  $('by-state').replaceChildren(...Object.entries(overview.byState).map(([state, count]) => {
    const item = el('li');
    const link = el('button', kebab(state) + ': ' + count, 'state-link state-' + kebab(state));
    link.type = 'button';
    link.dataset.state = kebab(state);
    link.addEventListener('click', () => { $('state-filter').value = kebab(state); page = 0; refreshList(); });
    item.appendChild(link);
    return item;
  }));
  $('delivered-per-minute').textContent = overview.deliveredLastMinute;
  $('parked-total').textContent = overview.parkedMessages;
  $('parked-mailboxes').textContent = overview.mailboxesWithParked;
  $('delivery-problems').textContent = overview.deliveryProblems;
  $('queue-depth').textContent = overview.queue.depth;
  $('dead-letters').textContent = overview.queue.deadLetters;
  replace($('replicas').tBodies[0], overview.replicas.map((replica) =>
    row([replica.id + (replica.self ? ' (this one)' : ''), replica.held, replica.capacity || 'no limit'])));
  replace($('creatio-hosts').tBodies[0], overview.creatioHosts.map((host) =>
    row([host.host || '(none)', host.mailboxes, host.parked, host.deliveryProblems, host.circuit || 'not called here',
      host.failureRate < 0 ? '–' : Math.round(host.failureRate) + ' %'])));
  $('recent-actions').replaceChildren(...overview.recentActions.map((action) =>
    el('li', new Date(action.at).toLocaleString() + ' · ' + action.who + ' (' + action.from + ') · ' + action.action
      + (action.mailboxId ? ' · ' + action.mailboxId : '') + ' · ' + action.result)));
  fill($('replica-filter'), overview.replicas.map((replica) => replica.id), true);
  fill($('host-filter'), overview.creatioHosts.map((host) => host.host).filter((host) => host), true);
  const self = overview.replicas.find((replica) => replica.self);
  $('answered-by').textContent = self ? 'replica ' + self.id : '';
  $('refreshed').textContent = 'updated ' + new Date(overview.at).toLocaleTimeString();
}

function query() {
  const params = new URLSearchParams();
  new FormData($('filters')).forEach((value, name) => { if (value !== '') params.set(name, value); });
  params.set('page', page);
  params.set('size', PAGE_SIZE);
  return params;
}

async function refreshList() {
  try {
    const result = await call('GET', '/operator/mailboxes?' + query());
    total = result.total;
    $('list-error').textContent = '';
    replace($('mailbox-table').tBodies[0], result.mailboxes.map((mailbox) => {
      const state = el('span', kebab(mailbox.state), 'state state-' + kebab(mailbox.state));
      const tr = row([mailbox.address, state, mailbox.protocol, (mailbox.owner || '–') + (mailbox.owner && !mailbox.ownerLive ? ' (gone)' : ''),
        ago(mailbox.lastDeliveredAt), ago(mailbox.lastEventAt), mailbox.parked, mailbox.error || mailbox.deliveryProblem || '']);
      tr.dataset.id = mailbox.id;
      tr.tabIndex = 0;
      tr.addEventListener('click', () => openDetail(mailbox.id));
      tr.addEventListener('keydown', (event) => { if (event.key === 'Enter') openDetail(mailbox.id); });
      return tr;
    }));
    const from = total === 0 ? 0 : page * PAGE_SIZE + 1;
    $('page-info').textContent = from + '–' + (page * PAGE_SIZE + result.mailboxes.length) + ' of ' + total;
    $('previous').disabled = page === 0;
    $('next').disabled = (page + 1) * PAGE_SIZE >= total;
  } catch (error) {
    $('list-error').textContent = error.message;
  }
}

function field(list, name, value) {
  list.appendChild(el('dt', name));
  list.appendChild(el('dd', value === null || value === undefined || value === '' ? '–' : value));
}

async function openDetail(id) {
  selected = id;
  const mailbox = await call('GET', '/operator/mailboxes/' + encodeURIComponent(id));
  $('detail').hidden = false;
  $('detail-title').textContent = mailbox.user + ' · ' + kebab(mailbox.state);
  const fields = $('detail-fields');
  fields.replaceChildren();
  field(fields, 'id', mailbox.id);
  field(fields, 'route', mailbox.route);
  field(fields, 'server', mailbox.server + (mailbox.port ? ':' + mailbox.port : '') + ' (' + mailbox.serverType + ')');
  field(fields, 'Creatio', mailbox.bpmEndpoint);
  field(fields, 'folders asked for', (mailbox.folderIds || []).join(', ') || 'all');
  field(fields, 'registered', mailbox.registeredAt);
  field(fields, 'lease', (mailbox.owner || 'none') + (mailbox.owner && !mailbox.ownerLive ? ' (replica gone)' : '')
    + (mailbox.ownerSince ? ' since ' + mailbox.ownerSince : ''));
  field(fields, 'state since', mailbox.subscription ? mailbox.subscription.since : null);
  field(fields, 'last event', mailbox.subscription ? mailbox.subscription.lastEventAt : null);
  field(fields, 'last delivery', mailbox.lastDeliveredAt);
  field(fields, 'delivery problem', mailbox.deliveryProblem
    ? mailbox.deliveryProblem.folder + ': ' + mailbox.deliveryProblem.failure + ' (' + mailbox.deliveryProblem.at + ')' : null);
  const subscription = mailbox.subscription;
  $('detail-error').textContent = subscription && subscription.errorMessage
    ? kebab(subscription.errorKind) + ': ' + subscription.errorMessage + ' (' + subscription.since
      + (subscription.failures > 1 ? ', ' + subscription.failures + ' failures in a row' : '') + ')' : 'none';
  replace($('cursors').tBodies[0], Object.entries(mailbox.cursors).map(([folder, cursor]) =>
    row([folder, cursor.uidValidity, cursor.lastUid, cursor.lastDeliveredAt, cursor.rejections,
      cursor.syncStateLength ? 'held (' + cursor.syncStateLength + ' chars)' : '–'])));
  replace($('parked').tBodies[0], mailbox.parkedMessages.map((message) => {
    const button = el('button', 'Redeliver', 'redeliver');
    button.type = 'button';
    button.addEventListener('click', () => act('Deliver UID ' + message.uid + ' of ' + message.folder + ' again?',
      '/operator/mailboxes/' + encodeURIComponent(id) + '/parked/' + message.uid + '/redeliver?folder='
      + encodeURIComponent(message.folder)));
    return row([message.folder, message.uid, message.parkedAt, (message.subject ? message.subject + ': ' : '') + message.reason, button]);
  }));
  replace($('imports').tBodies[0], mailbox.historyImports.map((historyImport) => {
    const cells = [historyImport.filter, kebab(historyImport.status), historyImport.found, historyImport.delivered,
      historyImport.failed, historyImport.updatedAt];
    if (historyImport.status === 'RUNNING') {
      const button = el('button', 'End', 'end-import');
      button.type = 'button';
      button.addEventListener('click', () => act('End the import of ' + historyImport.filter + '?',
        '/operator/mailboxes/' + encodeURIComponent(id) + '/history/end?filter=' + encodeURIComponent(historyImport.filter)));
      cells.push(button);
    } else {
      cells.push('');
    }
    return row(cells);
  }));
  $('redeliver-all').disabled = mailbox.parkedMessages.length === 0;
}

async function act(question, path) {
  if (!window.confirm(question)) return;
  try {
    const action = await call('POST', path);
    $('action-result').textContent = action ? action.result : 'done';
  } catch (error) {
    $('action-result').textContent = error.message;
  }
  if (selected) openDetail(selected).catch(() => {});
  refreshOverview().catch(() => {});
}

function start() {
  fill($('state-filter'), STATES, false);
  $('filters').addEventListener('submit', (event) => { event.preventDefault(); page = 0; refreshList(); });
  $('previous').addEventListener('click', () => { if (page > 0) { page--; refreshList(); } });
  $('next').addEventListener('click', () => { if ((page + 1) * PAGE_SIZE < total) { page++; refreshList(); } });
  $('close-detail').addEventListener('click', () => { selected = null; $('detail').hidden = true; });
  $('resync').addEventListener('click', () => act('Start this mailbox\'s subscription again?',
    '/operator/mailboxes/' + encodeURIComponent(selected) + '/resync'));
  $('release').addEventListener('click', () => act('End this mailbox\'s lease, so that a replica claims it afresh?',
    '/operator/mailboxes/' + encodeURIComponent(selected) + '/release'));
  $('redeliver-all').addEventListener('click', () => act('Deliver every parked message of this mailbox again?',
    '/operator/mailboxes/' + encodeURIComponent(selected) + '/parked/redeliver'));
  $('replay-dead-letters').addEventListener('click', () => act('Queue the dead-lettered sync jobs again?',
    '/operator/dead-letters/replay'));
  const overview = () => refreshOverview().catch((error) => { $('refreshed').textContent = error.message; });
  overview();
  refreshList();
  setInterval(overview, OVERVIEW_EVERY_MS);
  setInterval(refreshList, LIST_EVERY_MS);
  setInterval(() => { if (selected) openDetail(selected).catch(() => {}); }, LIST_EVERY_MS);
}

document.addEventListener('DOMContentLoaded', start);
