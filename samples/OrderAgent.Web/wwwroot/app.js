// The order-support page: starts a detached run, follows its events (SSE by default, ?transport=websocket for a
// WebSocket), and draws them as they come. A dropped connection resumes after the last event seen. A tool call that
// needs approval shows Approve and Deny; a running tool can be stopped on its own (✕) while the run goes on.
(() => {
  'use strict';

  const EVENT_TYPES = ['turn_started', 'text', 'thinking', 'tool_call_started', 'tool_input_progress', 'tool_call_ready',
    'tool_approval_requested', 'tool_execution_started', 'tool_status', 'tool_call_completed', 'tool_call_discarded',
    'turn_completed', 'turn_retrying', 'heartbeat', 'run_completed'];
  const params = new URLSearchParams(location.search);
  const transport = params.get('transport') === 'websocket' ? 'websocket' : 'sse';
  const $ = id => document.getElementById(id);
  let run = null;

  $('transport').textContent = transport === 'websocket' ? 'WebSocket' : 'Server-Sent Events';
  $('ask-form').addEventListener('submit', event => { event.preventDefault(); ask($('question').value.trim()); });
  $('stop').addEventListener('click', () => run && run.cancel());

  function ask(question) {
    if (!question) return;
    if (run) run.close();
    $('answer').textContent = '';
    $('tools').textContent = '';
    showNotice('');
    $('ttft').textContent = '–';
    $('total').textContent = '–';
    setState('running');
    run = transport === 'websocket' ? webSocketRun(question) : sseRun(question);
  }

  // A run followed with EventSource. EventSource reconnects by itself, sending Last-Event-ID, and the server resumes
  // after it; sequence numbers are checked here too, so nothing is ever drawn twice.
  function sseRun(question) {
    const state = newRunState();
    let source = null;
    state.close = () => { state.done = true; if (source) source.close(); };
    state.cancel = () => state.id && fetch(`/api/runs/${encodeURIComponent(state.id)}/cancel`, { method: 'POST' });
    fetch('/api/runs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message: question }) })
      .then(async response => {
        const body = await response.json();
        if (!response.ok) throw new Error(body.detail || body.title || response.statusText);
        state.id = body.run_id;
        $('stop').disabled = false;
        source = new EventSource(body.events_url);
        for (const type of EVENT_TYPES) source.addEventListener(type, message => handle(state, JSON.parse(message.data)));
        source.addEventListener('error', () => {
          if (state.done) source.close();
          else if (source.readyState === EventSource.CLOSED) fail(state, 'The connection was refused.');
          else showNotice('Reconnecting…');
        });
        source.addEventListener('open', () => { if (!state.done) showNotice(''); });
      })
      .catch(error => fail(state, error.message));
    return state;
  }

  // A run followed over a WebSocket: start it, and after a drop, subscribe again after the last event seen.
  function webSocketRun(question) {
    const state = newRunState();
    let socket = null;
    const connect = () => {
      socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws`);
      socket.addEventListener('open', () => {
        showNotice('');
        socket.send(JSON.stringify(state.id ? { type: 'subscribe', run_id: state.id, after: state.lastSeq } : { type: 'start', message: question }));
      });
      socket.addEventListener('message', message => {
        const data = JSON.parse(message.data);
        if (data.type === 'run_started') { state.id = data.run_id; $('stop').disabled = false; }
        else if (data.type === 'cancel_accepted') { /* run_completed follows */ }
        else if (data.type === 'error') fail(state, data.detail || data.title);
        else handle(state, data);
      });
      socket.addEventListener('close', () => {
        if (!state.done) { showNotice('Reconnecting…'); setTimeout(connect, 500); }
      });
    };
    state.close = () => { state.done = true; if (socket) socket.close(); };
    state.cancel = () => socket && state.id && socket.send(JSON.stringify({ type: 'cancel', run_id: state.id }));
    connect();
    return state;
  }

  function newRunState() {
    return { id: null, lastSeq: 0, started: performance.now(), firstToken: null, done: false, turnText: new Map() };
  }

  function handle(state, e) {
    if (state.done || state !== run || e.seq <= state.lastSeq) return;
    state.lastSeq = e.seq;
    switch (e.type) {
      case 'text': {
        if (state.firstToken === null) {
          state.firstToken = performance.now();
          $('ttft').textContent = formatMs(state.firstToken - state.started);
        }
        turnElement(state, e.turn).append(e.text);
        break;
      }
      case 'tool_call_started': {
        const chip = document.createElement('div');
        chip.className = 'tool-chip';
        chip.dataset.toolCallId = e.tool_call_id;
        chip.dataset.toolName = e.tool_name;
        chip.innerHTML = '<div class="head"><span class="spinner"></span><span class="check">✓</span><span class="label"></span><span class="duration"></span></div><div class="statuses"></div><div class="details"></div>';
        chip.querySelector('.label').textContent = e.status_label || e.tool_name;
        chip.addEventListener('click', () => chip.classList.toggle('open'));
        $('tools').append(chip);
        break;
      }
      case 'tool_approval_requested':
        withChip(e, chip => {
          const approval = document.createElement('div');
          approval.className = 'approval';
          approval.innerHTML = '<span>Needs your approval</span><button type="button" class="approve">Approve</button><button type="button" class="deny">Deny</button>';
          approval.querySelector('.approve').addEventListener('click', click => answerToolCall(state, chip, 'approve', click));
          approval.querySelector('.deny').addEventListener('click', click => answerToolCall(state, chip, 'deny', click));
          chip.classList.add('waiting');
          chip.append(approval);
        });
        break;
      case 'tool_execution_started':
        withChip(e, chip => {
          clearControls(chip);
          const stop = document.createElement('button');
          stop.type = 'button';
          stop.className = 'cancel-tool';
          stop.title = 'Stop this tool';
          stop.textContent = '✕';
          stop.addEventListener('click', click => answerToolCall(state, chip, 'cancel', click));
          chip.querySelector('.head').append(stop);
        });
        break;
      case 'tool_call_ready':
        withChip(e, chip => { chip.dataset.input = JSON.stringify(e.input, null, 2); renderDetails(chip); });
        break;
      case 'tool_status':
        withChip(e, chip => { const line = document.createElement('div'); line.textContent = e.status; chip.querySelector('.statuses').append(line); });
        break;
      case 'tool_call_completed':
        withChip(e, chip => {
          clearControls(chip);
          chip.classList.add('done');
          if (e.is_error) chip.classList.add('error');
          chip.querySelector('.duration').textContent = formatMs(e.duration_ms);
          chip.dataset.result = e.result + (e.result_truncated ? '…' : '');
          renderDetails(chip);
        });
        break;
      case 'tool_call_discarded':
        withChip(e, chip => chip.remove());
        break;
      case 'turn_retrying': {
        // The runner discards the failed attempt's output: so does the page.
        const partial = state.turnText.get(e.turn);
        if (partial) { partial.remove(); state.turnText.delete(e.turn); }
        showNotice('Retrying…');
        break;
      }
      case 'turn_started':
        if (e.attempt > 1) showNotice('');
        break;
      case 'run_completed':
        state.done = true;
        for (const chip of document.querySelectorAll('.tool-chip')) clearControls(chip);
        $('total').textContent = formatMs(performance.now() - state.started);
        setState(e.outcome);
        if (e.error) showNotice(`Failed: ${e.error.message}`);
        $('stop').disabled = true;
        state.close();
        break;
    }
  }

  function turnElement(state, turn) {
    let element = state.turnText.get(turn);
    if (!element) {
      element = document.createElement('span');
      element.className = 'turn';
      element.dataset.turn = String(turn);
      $('answer').append(element);
      state.turnText.set(turn, element);
    }
    return element;
  }

  // The newest chip with the call's ID: IDs are unique per message, and a later turn may reuse one.
  function withChip(e, action) {
    const chips = document.querySelectorAll(`.tool-chip[data-tool-call-id="${CSS.escape(e.tool_call_id)}"]`);
    if (chips.length > 0) action(chips[chips.length - 1]);
  }

  // Approve, Deny or stop one tool call of the run: the answer goes to the server, and the events that follow
  // (execution, completion) update the chip.
  function answerToolCall(state, chip, answer, click) {
    click.stopPropagation();
    const buttons = chip.querySelectorAll('.approval button, .cancel-tool');
    const retry = message => { showNotice(message); for (const button of buttons) button.disabled = false; };
    for (const button of buttons) button.disabled = true;
    fetch(`/api/runs/${encodeURIComponent(state.id)}/tool-calls/${encodeURIComponent(chip.dataset.toolCallId)}/${answer}`, { method: 'POST' })
      .then(async response => {
        if (response.status === 409) clearControls(chip); // no longer waiting for this answer: the next events say why
        else if (response.status !== 202) {
          const problem = await response.json().catch(() => ({}));
          retry(problem.detail || problem.title || response.statusText);
        }
      })
      .catch(error => retry(error.message));
  }

  function clearControls(chip) {
    chip.classList.remove('waiting');
    for (const control of chip.querySelectorAll('.approval, .cancel-tool')) control.remove();
  }

  function renderDetails(chip) {
    const details = chip.querySelector('.details');
    details.textContent = `input: ${chip.dataset.input ?? '…'}` + (chip.dataset.result !== undefined ? `\nresult: ${chip.dataset.result}` : '');
  }

  function fail(state, message) {
    if (state !== run) return;
    state.done = true;
    setState('failed');
    showNotice(message);
    $('stop').disabled = true;
  }

  function showNotice(text) {
    $('notice').textContent = text;
    $('notice').hidden = !text;
  }

  function setState(text) { $('state').textContent = text; }

  function formatMs(ms) { return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`; }

  const initial = params.get('q');
  if (initial) { $('question').value = initial; ask(initial); }
})();
