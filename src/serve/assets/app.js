// 积分材料助手 — the clerk's desk. Plain JavaScript, no libraries; everything it shows comes
// from the JSON API of `dossier serve` (SPEC §10). The token arrives in the address once; the
// server answers with an HttpOnly cookie, and the address bar is cleaned.
'use strict';

const $ = (sel, root = document) => root.querySelector(sel);
const state = { meta: null, employees: [], sort: { key: 'folder', dir: 1 }, picked: new Set(), current: null, model: null, lines: {} };

if (location.search.includes('token=')) history.replaceState(null, '', '/');

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v === true) e.setAttribute(k, '');
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c.nodeType ? c : document.createTextNode(String(c)));
  return e;
}

async function api(method, url, body, headers = {}) {
  const opts = { method, headers: Object.assign({}, headers), credentials: 'same-origin' };
  if (body !== undefined) {
    if (typeof body === 'string' || body instanceof Blob || body instanceof ArrayBuffer) opts.body = body;
    else { opts.body = JSON.stringify(body); opts.headers['Content-Type'] = 'application/json'; }
  }
  const r = await fetch(url, opts);
  const type = r.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await r.json() : await r.text();
  return { status: r.status, ok: r.ok, data };
}

let toastTimer;
function toast(msg, bad = false) {
  const t = $('#toast');
  t.textContent = msg;
  t.className = 'toast' + (bad ? ' bad' : '');
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, bad ? 8000 : 4000);
}

function errorText(res) {
  if (res.data && typeof res.data === 'object' && res.data.error) return res.data.error;
  return `出错了 (HTTP ${res.status})`;
}

// --- views ------------------------------------------------------------------------------------

function show(view) {
  $('#view-dept').hidden = view !== 'dept';
  $('#view-emp').hidden = view !== 'emp';
  $('#nav-dept').classList.toggle('active', view === 'dept');
  $('#nav-emp').classList.toggle('active', view === 'emp');
}

$('#nav-dept').addEventListener('click', () => { location.hash = ''; });
$('#back').addEventListener('click', () => { location.hash = ''; });
$('#nav-emp').addEventListener('click', () => { if (state.current) location.hash = '#/e/' + encodeURIComponent(state.current); });
window.addEventListener('hashchange', route);

function route() {
  const m = location.hash.match(/^#\/e\/(.+)$/);
  if (m) openEmployee(decodeURIComponent(m[1]));
  else { show('dept'); loadDepartment(); }
}

// --- department -------------------------------------------------------------------------------

function statusOf(e) {
  if (e.error) return { word: '出错', cls: 'bad', rank: 0 };
  if (e.ready) return { word: '就绪', cls: 'ok', rank: 2 };
  return { word: '未就绪', cls: 'bad', rank: 1 };
}

function problemsOf(e) {
  if (e.error) return firstLine(e.error);
  const missing = (e.items || []).filter(i => i.status !== 'ok').map(i => i.label + (i.status === 'missing' ? '' : '（有问题）'));
  const other = (e.findings || []).filter(f => f.severity === 'error' && !f.slug).map(f => f.message.replace(/\s*\([^)]*\)\s*$/, ''));
  const parts = [];
  if (missing.length) parts.push('缺：' + missing.join('、'));
  parts.push(...other);
  return parts.join('；');
}

function firstLine(s) { return String(s).split('\n')[0].replace(/^(error: |错误：)/, ''); }

async function loadDepartment() {
  const res = await api('GET', '/api/employees');
  if (!res.ok) { toast(errorText(res), true); return; }
  state.employees = res.data;
  const known = new Set(res.data.map(e => e.folder));
  for (const f of [...state.picked]) if (!known.has(f)) state.picked.delete(f);
  renderDepartment();
}

function sortValue(e, key) {
  switch (key) {
    case 'name': return (e.applicant && e.applicant.name) || '';
    case 'id': return (e.applicant && e.applicant.id_masked) || '';
    case 'score': return e.score ? e.score.total : -1;
    case 'status': return statusOf(e).rank;
    default: return e.folder;
  }
}

function renderDepartment() {
  const list = [...state.employees];
  const { key, dir } = state.sort;
  list.sort((a, b) => {
    const x = sortValue(a, key), y = sortValue(b, key);
    const c = typeof x === 'number' ? x - y : String(x).localeCompare(String(y), 'zh-Hans-CN', { numeric: true });
    return c * dir || a.folder.localeCompare(b.folder);
  });
  const body = $('#dept-table tbody');
  body.replaceChildren();
  for (const e of list) {
    const st = statusOf(e);
    const sc = e.score;
    const tr = el('tr', { 'data-folder': e.folder },
      el('td', { class: 'pick' }, el('input', { type: 'checkbox', 'aria-label': '选择 ' + e.folder, checked: state.picked.has(e.folder), onchange: ev => { ev.target.checked ? state.picked.add(e.folder) : state.picked.delete(e.folder); updatePicked(); } })),
      el('td', {}, el('a', { href: '#/e/' + encodeURIComponent(e.folder), class: 'name' }, (e.applicant && e.applicant.name) || '（未填姓名）')),
      el('td', { class: 'mono' }, (e.applicant && e.applicant.id_masked) || '—'),
      el('td', { class: 'muted' }, e.folder),
      el('td', { class: 'num' }, sc ? el('span', { class: sc.eligible ? 'ok' : 'bad' }, `${sc.total} / ${sc.standard}`) : '—'),
      el('td', {}, el('span', { class: 'badge ' + st.cls }, st.word)),
      el('td', { class: 'why' }, problemsOf(e)));
    body.append(tr);
  }
  $('#dept-empty').hidden = list.length > 0;
  for (const th of document.querySelectorAll('#dept-table th.sortable')) {
    th.classList.toggle('asc', th.dataset.sort === key && dir === 1);
    th.classList.toggle('desc', th.dataset.sort === key && dir === -1);
  }
  const ready = list.filter(e => e.ready).length;
  $('#dept-summary').textContent = list.length ? `共 ${list.length} 人：就绪 ${ready}，未就绪 ${list.length - ready}` : '';
  $('#pick-all').checked = list.length > 0 && list.every(e => state.picked.has(e.folder));
  updatePicked();
}

function updatePicked() {
  const n = state.picked.size;
  $('#picked').textContent = n ? `已选 ${n} 人` : '未选择员工（不选即为全部）';
  $('#do-pack').disabled = state.employees.length === 0;
  $('#do-checklist').disabled = state.employees.length === 0;
  $('#do-copies').disabled = state.employees.length === 0;
}

for (const th of document.querySelectorAll('#dept-table th.sortable')) {
  th.addEventListener('click', () => {
    const k = th.dataset.sort;
    state.sort = { key: k, dir: state.sort.key === k ? -state.sort.dir : 1 };
    renderDepartment();
  });
}

$('#pick-all').addEventListener('change', ev => {
  state.picked = ev.target.checked ? new Set(state.employees.map(e => e.folder)) : new Set();
  renderDepartment();
});

$('#new-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  const name = $('#new-folder').value.trim();
  if (!name) { toast('请输入文件夹名（例如员工姓名）', true); return; }
  const res = await api('POST', '/api/employees', { folder: name });
  if (res.status === 201) {
    $('#new-folder').value = '';
    toast(`已新建「${name}」`);
    location.hash = '#/e/' + encodeURIComponent(name);
  } else toast(errorText(res), true);
});

function chosen() { return state.picked.size ? [...state.picked] : state.employees.map(e => e.folder); }

async function pack(folders) {
  toast('正在打包…');
  const res = await api('POST', '/api/pack', { folders });
  if (!res.ok) { toast(errorText(res), true); return; }
  const results = Array.isArray(res.data) ? res.data : [res.data];
  const ul = $('#downloads ul');
  ul.replaceChildren();
  let packed = 0;
  for (const r of results) {
    const who = (r.applicant && r.applicant.name) || r.folder;
    if (r.status === 'packed') {
      packed++;
      const zip = baseName(r.zip), cover = baseName(r.cover);
      ul.append(el('li', {}, el('span', { class: 'badge ok' }, '已打包'), ' ', who, ' ',
        el('a', { href: '/api/files/out/' + encodeURIComponent(zip), download: zip, class: 'dl' }, zip), ' ',
        el('a', { href: '/api/files/out/' + encodeURIComponent(cover), download: cover, class: 'dl' }, cover)));
    } else {
      const why = r.error ? firstLine(r.error) : ((r.findings || []).find(f => f.severity === 'error') || {}).message || '未就绪';
      ul.append(el('li', {}, el('span', { class: 'badge bad' }, r.error ? '出错' : '未打包'), ' ', who, '：', why));
    }
  }
  $('#downloads').hidden = false;
  $('#downloads').scrollIntoView({ block: 'nearest' });
  toast(`打包完成：${packed} / ${results.length} 人`);
}

function baseName(p) { return String(p || '').split(/[\\/]/).pop(); }

$('#do-pack').addEventListener('click', () => pack(chosen()));
$('#do-checklist').addEventListener('click', () => download('/api/checklist.pdf?folders=' + chosen().map(encodeURIComponent).join(',')));
$('#do-copies').addEventListener('click', () => download('/api/copies.pdf?folders=' + chosen().map(encodeURIComponent).join(',')));

async function download(url) {
  // Asked first, so an error is a message rather than a blank tab.
  const r = await fetch(url, { credentials: 'same-origin' });
  if (!r.ok) {
    let msg = `出错了 (HTTP ${r.status})`;
    try { msg = (await r.json()).error || msg; } catch (_) { /* not JSON */ }
    toast(msg, true);
    return;
  }
  const left = decodeURIComponent(r.headers.get('X-Left-Out') || '');
  if (left) toast(`未就绪，未包含：${left}`, true);
  const blob = await r.blob();
  const cd = r.headers.get('Content-Disposition') || '';
  const m = cd.match(/filename\*=UTF-8''([^;]+)/);
  const name = m ? decodeURIComponent(m[1]) : 'dossier.pdf';
  const a = el('a', { href: URL.createObjectURL(blob), download: name });
  document.body.append(a);
  a.click();
  setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}

// --- one employee -------------------------------------------------------------------------------

async function openEmployee(folder) {
  show('emp');
  state.current = folder;
  $('#nav-emp').disabled = false;
  const [one, text] = await Promise.all([
    api('GET', '/api/employees/' + encodeURIComponent(folder)),
    api('GET', '/api/employees/' + encodeURIComponent(folder) + '/applicant?format=json'),
  ]);
  if (!one.ok) { toast(errorText(one), true); location.hash = ''; return; }
  renderEmployee(one.data);
  state.model = text.ok && text.data && typeof text.data === 'object' && text.data.toml ? text.data.toml : {};
  $('#raw-text').value = text.ok && text.data ? text.data.text || '' : '';
  renderForm();
  if (text.ok && text.data && text.data.diagnostics) showDiagnostics(text.data.diagnostics, true);
}

function renderEmployee(d) {
  const c = d.check, sc = d.score;
  const a = (c && c.applicant) || (sc && sc.applicant) || {};
  $('#emp-name').textContent = a.name || d.folder;
  $('#emp-id').textContent = a.id_masked || '';
  const st = d.error ? { word: '出错', cls: 'bad' } : c.ready ? { word: '就绪', cls: 'ok' } : { word: '未就绪', cls: 'bad' };
  const badge = $('#emp-status');
  badge.textContent = st.word;
  badge.className = 'badge ' + st.cls;
  $('#emp-score').textContent = sc ? `模拟积分 ${sc.total} / ${sc.standard}` : '';
  $('#emp-score').className = 'score ' + (sc ? (sc.eligible ? 'ok' : 'bad') : '');
  $('#where').textContent = d.folder;
  const err = $('#emp-error');
  err.hidden = !d.error;
  err.textContent = d.error ? 'applicant.toml 有问题，改正并保存后才能核对材料：\n' + d.error : '';
  // What the files gave to tell the clerk without stopping the check (GBK text, the insurance record …).
  const warns = d.warnings || [];
  const wb = $('#emp-warnings');
  wb.hidden = !warns.length;
  wb.textContent = warns.length ? '请留意 (warnings)：\n' + warns.map(w => '· ' + w).join('\n') : '';
  renderVisits(d);
  renderUnmatched(d);
  renderScore(sc);
}

function findingsFor(check, slug) { return (check.findings || []).filter(f => f.slug === slug); }

const STATUS_WORD = { ok: '齐全', missing: '缺少', invalid: '有问题' };

function renderVisits(d) {
  const box = $('#visits');
  box.replaceChildren();
  const cl = d.checklist, check = d.check;
  if (!cl || !check) { box.append(el('p', { class: 'muted' }, '填好申请人信息并保存后，这里显示材料清单。')); return; }
  const reports = new Map(check.items.map(i => [i.slug, i]));
  cl.visits.forEach((v, n) => {
    const items = cl.items.filter(i => i.visits.includes(v.id));
    if (!items.length) return;
    const sec = el('section', { class: 'visit' }, el('h4', {}, `第 ${n + 1} 次 · ${v.label}`, v.note ? el('small', { class: 'muted' }, '  ' + v.note) : null));
    for (const it of items) {
      if (it.holder === 'hr') {
        sec.append(el('div', { class: 'item hr' }, el('span', { class: 'label' }, it.label), el('span', { class: 'muted' }, '经办人带，不需扫描')));
        continue;
      }
      const rep = reports.get(it.slug) || { status: 'missing', files: [] };
      sec.append(itemRow(d.folder, it, rep, findingsFor(check, it.slug)));
    }
    box.append(sec);
  });
}

function itemRow(folder, it, rep, findings) {
  const how = it.original ? (it.copies ? `原件 + 复印件 ${it.copies} 份` : '原件') : `复印件 ${it.copies} 份`;
  const pages = it.parts && it.parts.length ? `扫描 ${it.min_parts} 页（${it.parts.join('、')}）` : `扫描 ${it.min_parts} 页`;
  const thumbs = el('div', { class: 'thumbs' }, rep.files.map(f => el('figure', {},
    el('img', { src: `/api/employees/${encodeURIComponent(folder)}/thumb?file=${encodeURIComponent(f)}`, alt: baseName(f), loading: 'lazy', onerror: ev => { ev.target.replaceWith(el('span', { class: 'nothumb' }, extOf(f))); } }),
    el('figcaption', {}, baseName(f)))));
  const input = el('input', { type: 'file', accept: '.pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png', multiple: true, 'data-slug': it.slug, class: 'file-input', id: 'file-' + it.slug });
  input.addEventListener('change', () => { uploadFiles(folder, it.slug, [...input.files]); input.value = ''; });
  const zone = el('div', { class: 'item status-' + rep.status, 'data-slug': it.slug, 'data-status': rep.status },
    el('div', { class: 'item-head' },
      el('span', { class: 'chip ' + rep.status }, STATUS_WORD[rep.status] || rep.status),
      el('span', { class: 'label' }, it.label, it.required ? null : el('small', { class: 'muted' }, '（可选）')),
      el('span', { class: 'muted how' }, `${how} · ${pages}`),
      el('label', { class: 'pickfile', for: 'file-' + it.slug }, '选择文件'), input),
    thumbs,
    findings.length ? el('ul', { class: 'findings' }, findings.map(f => el('li', { class: f.severity }, f.message, f.hint ? el('div', { class: 'hint' }, '→ ' + f.hint) : null))) : null);
  zone.addEventListener('dragover', ev => { ev.preventDefault(); zone.classList.add('drop'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('drop'));
  zone.addEventListener('drop', ev => {
    ev.preventDefault();
    zone.classList.remove('drop');
    uploadFiles(folder, it.slug, [...ev.dataTransfer.files]);
  });
  return zone;
}

function extOf(f) { const m = String(f).match(/\.([^.]+)$/); return m ? m[1].toUpperCase() : '文件'; }

async function uploadFiles(folder, slug, files) {
  for (const file of files) {
    if (state.meta && file.size > state.meta.max_upload) { toast(`「${file.name}」超过 ${Math.round(state.meta.max_upload / 1e6)} MB，未上传`, true); continue; }
    const res = await api('POST', `/api/employees/${encodeURIComponent(folder)}/scans?item=${encodeURIComponent(slug)}`, file,
      { 'X-File-Name': encodeURIComponent(file.name), 'Content-Type': 'application/octet-stream' });
    if (res.status === 201) toast(`已保存为 ${baseName(res.data.saved)}`);
    else { toast(`「${file.name}」：${errorText(res)}`, true); }
  }
  await refreshEmployee(folder);
}

async function refreshEmployee(folder) {
  const one = await api('GET', '/api/employees/' + encodeURIComponent(folder));
  if (one.ok) renderEmployee(one.data);
}

function renderUnmatched(d) {
  const box = $('#unmatched');
  box.replaceChildren();
  if (!d.check || !d.checklist) return;
  const strays = (d.check.findings || []).filter(f => f.code === 'unmatched-file' && f.path);
  if (!strays.length) return;
  const options = d.checklist.items.filter(i => i.holder !== 'hr');
  const sec = el('section', { class: 'unmatched' }, el('h4', {}, `未识别的文件（${strays.length}）`), el('p', { class: 'muted' }, '这些文件的名字对不上任何材料。选一下它是什么，会按规范名称改名。'));
  for (const f of strays) {
    const name = f.path.replace(/^scans\//, '');
    const guess = options.find(i => f.message.includes(`「${i.label}」`));
    const sel = el('select', { 'aria-label': '这是' }, el('option', { value: '' }, '这是…'), options.map(i => el('option', { value: i.slug, selected: guess && guess.slug === i.slug }, i.label)));
    const btn = el('button', { type: 'button', onclick: async () => {
      if (!sel.value) { toast('先选这是哪一项材料', true); return; }
      const url = `/api/employees/${encodeURIComponent(d.folder)}/scans/${name.split('/').map(encodeURIComponent).join('%2F')}/assign?item=${encodeURIComponent(sel.value)}`;
      const res = await api('POST', url);
      if (res.ok) toast(`已改名为 ${baseName(res.data.saved)}`); else toast(errorText(res), true);
      await refreshEmployee(d.folder);
    } }, '确定');
    sec.append(el('div', { class: 'stray' }, el('span', { class: 'mono' }, name), sel, btn));
  }
  box.append(sec);
}

function renderScore(sc) {
  const box = $('#score-box');
  box.replaceChildren();
  if (!sc) return;
  const rows = sc.items.filter(i => i.points !== 0 || i.group === 'basic' || i.detail).map(i =>
    el('tr', {}, el('td', {}, i.label), el('td', { class: 'num' }, String(i.points)), el('td', { class: 'muted' }, i.detail || i.note || '')));
  const gap = sc.standard - sc.total;
  const verdict = sc.vetoes && sc.vetoes.length ? `一票否决：${sc.vetoes.map(v => v.label).join('、')}`
    : gap > 0 ? `还差 ${gap} 分达到标准分 ${sc.standard}` : `已达到标准分 ${sc.standard}`;
  // The road to the standard (score JSON `to_standard`): each way alone is enough.
  const ways = Array.isArray(sc.to_standard) ? sc.to_standard : [];
  const road = ways.length ? el('div', { class: 'road' }, el('h4', {}, `达到 ${sc.standard} 分的途径（任一即可）`),
    el('ul', {}, ways.map(w => el('li', {}, w.what, `（+${w.points} 分`, w.on ? `，${w.on} 起` : '', '）')))) : null;
  const failed = (Array.isArray(sc.gates) ? sc.gates : []).filter(g => !g.ok);
  const gates = failed.length ? el('ul', { class: 'findings' }, failed.map(g => el('li', { class: g.severity || 'error' }, `${g.label}：${g.reason}`))) : null;
  box.append(el('h3', {}, '模拟积分'),
    el('table', { class: 'score-table' }, el('tbody', {}, rows, el('tr', { class: 'total' }, el('td', {}, '合计'), el('td', { class: 'num' }, String(sc.total)), el('td', { class: sc.eligible ? 'ok' : 'bad' }, verdict)))),
    gates, road);
}

$('#emp-pack').addEventListener('click', async () => { await pack([state.current]); });
$('#emp-checklist').addEventListener('click', () => download('/api/checklist.pdf?folders=' + encodeURIComponent(state.current)));

// --- the applicant form ---------------------------------------------------------------------------

const YES_NO = 'bool';
const SECTIONS = [
  { table: 'applicant', title: '申请人', fields: [
    { key: 'name', label: '姓名', type: 'text' },
    { key: 'id_number', label: '身份证号', type: 'text', hint: '18 位，自动校验出生日期和校验码' },
    { key: 'phone', label: '手机号', type: 'text', optional: true },
    { key: 'hukou', label: '户口类型', type: 'select', choices: [['family', '家庭户口（户口簿）'], ['collective', '集体户口']] },
    { key: 'permit_expires', label: '居住证有效期至', type: 'date', optional: true },
  ] },
  { table: 'employer', title: '单位', fields: [
    { key: 'name', label: '单位名称', type: 'text', hint: '与营业执照一致' },
    { key: 'credit_code', label: '统一社会信用代码', type: 'text' },
    { key: 'district', label: '注册地所在区', type: 'district' },
    { key: 'kind', label: '单位类型', type: 'select', def: 'enterprise', choices: [['enterprise', '企业'], ['institution', '事业单位'], ['social-org', '社会团体 / 民非']] },
    { key: 'dispatched', label: '劳务派遣', type: YES_NO },
    { key: 'hr_name', label: '经办人', type: 'text' },
    { key: 'hr_phone', label: '经办人电话', type: 'text', optional: true },
  ] },
  { table: 'family', title: '婚姻', fields: [
    { key: 'marital_status', label: '婚姻状况', type: 'select', choices: [['single', '未婚'], ['married', '已婚'], ['divorced', '离异'], ['widowed', '丧偶']] },
    { key: 'married_on', label: '结婚登记日期', type: 'date', optional: true, when: m => get(m, 'family', 'marital_status') === 'married' },
  ] },
  { table: 'family.spouse', title: '配偶', when: m => get(m, 'family', 'marital_status') === 'married', fields: [
    { key: 'name', label: '配偶姓名', type: 'text' },
    { key: 'id_number', label: '配偶身份证号', type: 'text' },
    { key: 'shanghai_hukou', label: '配偶是本市户籍', type: YES_NO },
  ] },
  { table: 'family.children', title: '子女', many: true, add: '添加子女', fields: [
    { key: 'name', label: '姓名', type: 'text' },
    { key: 'birth_date', label: '出生日期', type: 'date' },
  ] },
  { table: 'education', title: '学历', fields: [
    { key: 'level', label: '最高学历', type: 'select', choices: [['none', '无'], ['associate', '大专'], ['bachelor', '本科'], ['master', '硕士'], ['doctorate', '博士']] },
    { key: 'degree', label: '有相应学位证书', type: YES_NO },
    { key: 'mode', label: '学习形式', type: 'select', def: 'full-time', choices: [['full-time', '全日制'], ['adult-exam', '成人高考'], ['self-study', '自学考试'], ['online', '网络教育'], ['open-university', '开放大学']] },
    { key: 'graduated_on', label: '毕业日期', type: 'date' },
    { key: 'overseas', label: '国（境）外学历学位', type: YES_NO },
    { key: 'fresh_graduate', label: '应届高校毕业生', type: YES_NO },
    { key: 'shortage_major', label: '紧缺急需专业', type: YES_NO },
  ] },
  { table: 'insurance', title: '社保', fields: [
    { key: 'years', label: '本市社保缴费年数', type: 'int', min: 0 },
    { key: 'base_ratio', label: '缴费基数 ÷ 全市平均工资', type: 'float', min: 0, step: 0.1, hint: '如 0.7、1.0、2.5' },
  ] },
  { table: 'certificates', title: '职称 / 技能证书', many: true, add: '添加证书', fields: [
    { key: 'type', label: '类别', type: 'select', choices: [['skill', '技能等级 / 职业资格'], ['title', '专业技术职称']] },
    { key: 'level', label: '等级', type: 'level' },
    { key: 'name', label: '名称', type: 'text', optional: true },
  ] },
  { table: 'tax', title: '个税', fields: [
    { key: 'certificates', label: '提供个人所得税完税证明', type: YES_NO },
  ] },
  { table: 'bonus', title: '加分', fields: [
    { key: 'awards', label: '获奖', type: 'multi', choices: [['bureau', '委办局级'], ['municipal', '市级'], ['national', '省部级及以上']] },
    { key: 'remote_area_years', label: '远郊重点区域工作居住年限', type: 'int', min: 0, optional: true },
    { key: 'public_service_years', label: '特定公共服务领域工作年限', type: 'int', min: 0, optional: true },
    { key: 'investment_points', label: '投资创业加分（按评定）', type: 'int', min: 0, optional: true },
  ] },
  { table: 'deductions', title: '减分 / 否决', fields: [
    { key: 'false_materials', label: '提供虚假材料次数', type: 'int', min: 0, optional: true },
    { key: 'detentions', label: '行政拘留次数', type: 'int', min: 0, optional: true },
    { key: 'crimes', label: '一般刑事犯罪次数', type: 'int', min: 0, optional: true },
    { key: 'serious_crime', label: '严重刑事犯罪（否决）', type: YES_NO, optional: true },
    { key: 'family_planning_violation', label: '违反计划生育政策（否决）', type: YES_NO, optional: true },
  ] },
];

function tableAt(m, path, create) {
  let t = m;
  for (const p of path.split('.')) {
    if (t[p] === undefined || t[p] === null || typeof t[p] !== 'object') { if (!create) return undefined; t[p] = {}; }
    t = t[p];
  }
  return t;
}
function get(m, path, key) { const t = tableAt(m, path, false); return t ? t[key] : undefined; }

function renderForm() {
  const box = $('#form-fields');
  box.replaceChildren();
  $('#form-errors').hidden = true;
  const m = state.model;
  for (const sec of SECTIONS) {
    if (sec.when && !sec.when(m)) continue;
    const fs = el('fieldset', { 'data-table': sec.table }, el('legend', {}, sec.title));
    if (sec.many) {
      const [parent, key] = sec.table.includes('.') ? sec.table.split('.') : [null, sec.table];
      const holder = parent ? tableAt(m, parent, true) : m;
      if (!Array.isArray(holder[key])) holder[key] = [];
      holder[key].forEach((row, i) => {
        const sub = el('div', { class: 'row-many' });
        for (const f of sec.fields) sub.append(field(row, f, `${sec.table}.${i}.${f.key}`));
        sub.append(el('button', { type: 'button', class: 'link', onclick: () => { holder[key].splice(i, 1); renderForm(); } }, '删除'));
        fs.append(sub);
      });
      fs.append(el('button', { type: 'button', class: 'link', onclick: () => { holder[key].push({}); renderForm(); } }, '+ ' + sec.add));
    } else {
      const t = tableAt(m, sec.table, true);
      for (const f of sec.fields) {
        if (f.when && !f.when(m)) continue;
        fs.append(field(t, f, `${sec.table}.${f.key}`));
      }
    }
    box.append(fs);
  }
}

function field(obj, f, id) {
  const v = obj[f.key];
  const set = val => {
    if ((val === '' || val === undefined) && f.optional) delete obj[f.key]; else obj[f.key] = val;
  };
  let input;
  const domId = 'f-' + id.replace(/[^A-Za-z0-9_-]/g, '_');
  switch (f.type) {
    case 'select':
    case 'district': {
      const choices = f.type === 'district' ? ((state.meta && state.meta.districts) || []).map(d => [d, d]) : f.choices;
      // The file may say it in Chinese (已婚, 本科): shown as the matching choice, kept as written.
      const shown = v === undefined ? f.def : (choices.find(([val, label]) => val === v || (typeof v === 'string' && v && label.includes(v))) || [v])[0];
      input = el('select', { id: domId }, el('option', { value: '' }, '请选择'), choices.map(([val, label]) => el('option', { value: val, selected: shown === val }, label)));
      if (shown && !choices.some(([val]) => val === shown)) input.append(el('option', { value: shown, selected: true }, shown));
      input.addEventListener('change', () => { set(input.value); if (f.key === 'marital_status' || f.key === 'type') renderForm(); });
      break;
    }
    case 'bool':
      input = el('input', { id: domId, type: 'checkbox', checked: v === true || v === '是' || (v === undefined && f.def === true) });
      input.addEventListener('change', () => set(input.checked));
      break;
    case 'int':
    case 'float':
      input = el('input', { id: domId, type: 'number', min: f.min, step: f.type === 'int' ? 1 : (f.step || 'any'), value: v === undefined ? '' : v });
      input.addEventListener('input', () => {
        if (input.value === '') { set(f.optional ? '' : undefined); if (!f.optional) delete obj[f.key]; return; }
        const n = Number(input.value);
        set(f.type === 'float' ? { float: n } : n);
      });
      if (f.type === 'float' && typeof v === 'number') obj[f.key] = { float: v };
      break;
    case 'date':
      input = el('input', { id: domId, type: 'date', value: isoDate(v) });
      input.addEventListener('change', () => set(input.value));
      break;
    case 'multi': {
      const have = new Set(Array.isArray(v) ? v : []);
      input = el('span', { id: domId, class: 'multi' }, f.choices.map(([val, label]) => {
        const cb = el('input', { type: 'checkbox', checked: have.has(val) });
        cb.addEventListener('change', () => { cb.checked ? have.add(val) : have.delete(val); obj[f.key] = f.choices.map(c => c[0]).filter(c => have.has(c)); });
        return el('label', { class: 'check' }, cb, label);
      }));
      break;
    }
    case 'level': {
      const skill = obj.type !== 'title';
      const choices = skill ? [[5, '五级（初级工）'], [4, '四级（中级工）'], [3, '三级（高级工）'], [2, '二级（技师）'], [1, '一级（高级技师）']]
        : [['junior', '初级'], ['intermediate', '中级'], ['senior', '高级']];
      input = el('select', { id: domId }, el('option', { value: '' }, '请选择'), choices.map(([val, label]) => el('option', { value: String(val), selected: String(v) === String(val) }, label)));
      input.addEventListener('change', () => set(skill ? Number(input.value) : input.value));
      break;
    }
    default:
      input = el('input', { id: domId, type: 'text', value: typeof v === 'string' ? v : (v === undefined ? '' : String(v)), autocomplete: 'off' });
      input.addEventListener('input', () => set(input.value));
  }
  return el('div', { class: 'field', 'data-field': id },
    el('label', { for: domId }, f.label, f.optional ? el('small', { class: 'muted' }, '（选填）') : null), input,
    f.hint ? el('small', { class: 'muted hint' }, f.hint) : null,
    el('div', { class: 'field-error', hidden: true }));
}

// 2016.10.1, 2016/10/01, 2016年10月1日 → 2016-10-01 for the date input.
function isoDate(v) {
  const m = typeof v === 'string' && v.match(/^(\d{4})\D(\d{1,2})\D(\d{1,2})/);
  return m ? `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}` : '';
}

// TOML text from the model: tables, arrays of tables, and values; keys the form does not know
// are kept as they were. Records which line holds which field, to put errors at the field.
function toToml(model) {
  const lines = ['# 上海居住证积分申请 — 申请人信息 (applicant.toml)，由 dossier serve 页面保存'];
  const where = {};
  const isTable = v => v && typeof v === 'object' && !Array.isArray(v) && !('float' in v && Object.keys(v).length === 1);
  const isTableArray = v => Array.isArray(v) && v.length > 0 && v.every(isTable);
  const key = k => /^[A-Za-z0-9_-]+$/.test(k) ? k : JSON.stringify(k);
  const value = v => {
    if (v && typeof v === 'object' && 'float' in v) { const n = Number(v.float); return Number.isInteger(n) ? n.toFixed(1) : String(n); }
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (Array.isArray(v)) return '[' + v.map(value).join(', ') + ']';
    return '""';
  };
  const emit = (path, t) => {
    for (const [k, v] of Object.entries(t)) {
      if (v === undefined || isTable(v) || isTableArray(v) || (Array.isArray(v) && v.length === 0 && (path + '.' + k === 'family.children' || k === 'certificates'))) continue;
      lines.push(`${key(k)} = ${value(v)}`);
      where[lines.length] = path ? `${path}.${k}` : k;
    }
    for (const [k, v] of Object.entries(t)) {
      const p = path ? `${path}.${k}` : k;
      if (isTable(v)) { lines.push('', `[${p.split('.').map(key).join('.')}]`); where[lines.length] = p; emit(p, v); }
      else if (isTableArray(v)) v.forEach((row, i) => { lines.push('', `[[${p.split('.').map(key).join('.')}]]`); where[lines.length] = `${p}.${i}`; emit(`${p}.${i}`, row); });
    }
  };
  emit('', model);
  state.lines = where;
  return lines.join('\n') + '\n';
}

function showDiagnostics(diags, fromFile) {
  for (const e of document.querySelectorAll('.field-error')) { e.hidden = true; e.textContent = ''; }
  for (const e of document.querySelectorAll('.field.has-error')) e.classList.remove('has-error');
  const loose = [];
  for (const d of diags) {
    const id = fromFile ? null : state.lines[d.line];
    const fieldEl = id && document.querySelector(`.field[data-field="${CSS.escape(id)}"]`);
    if (fieldEl) {
      fieldEl.classList.add('has-error');
      const box = $('.field-error', fieldEl);
      box.hidden = false;
      box.textContent = (box.textContent ? box.textContent + '；' : '') + d.message;
    } else loose.push(d.line ? `第 ${d.line} 行第 ${d.column} 列：${d.message}` : d.message);
  }
  const box = $('#form-errors');
  box.hidden = loose.length === 0;
  box.replaceChildren(...loose.map(t => el('div', {}, t)));
  const first = document.querySelector('.field.has-error input, .field.has-error select') || (loose.length ? box : null);
  if (first) first.scrollIntoView({ block: 'center' });
}

async function saveText(text, fromRaw) {
  $('#form-state').textContent = '正在保存…';
  const res = await api('PUT', `/api/employees/${encodeURIComponent(state.current)}/applicant`, text, { 'Content-Type': 'text/plain; charset=utf-8' });
  if (res.status === 422) {
    $('#form-state').textContent = `有 ${res.data.diagnostics.length} 处问题，未保存`;
    showDiagnostics(res.data.diagnostics, fromRaw);
    return;
  }
  if (!res.ok) { $('#form-state').textContent = ''; toast(errorText(res), true); return; }
  $('#form-state').textContent = '已保存 ' + new Date().toLocaleTimeString('zh-CN');
  showDiagnostics([], false);
  await openEmployee(state.current);
  $('#form-state').textContent = '已保存 ' + new Date().toLocaleTimeString('zh-CN');
}

$('#applicant-form').addEventListener('submit', ev => { ev.preventDefault(); saveText(toToml(state.model), false); });
$('#raw-save').addEventListener('click', () => saveText($('#raw-text').value, true));

// --- start ------------------------------------------------------------------------------------------

(async function start() {
  const res = await api('GET', '/api/meta');
  if (!res.ok) { document.body.textContent = errorText(res); return; }
  state.meta = res.data;
  $('#where').textContent = res.data.dir || '';
  $('#do-copies').hidden = !res.data.copies;
  if (res.data.single) $('#new-form').hidden = true;
  route();
})();
