/**
 * The Link UI's look: a centred card on a dimmed page, in the spirit of Plaid's own modal. It is the
 * whole document of the Link iframe, so the partner page's styles cannot reach it; the emulator
 * serves it as a style sheet (the iframe's CSP allows no inline style).
 */
export const LINK_STYLES = `
html, body {
  margin: 0;
  height: 100%;
  background: transparent;
}
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }

.backdrop {
  position: fixed;
  inset: 0;
  display: grid;
  place-items: center;
  padding: 16px;
  background: rgba(17, 17, 17, 0.55);
  font: 400 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
  color: #111;
  -webkit-font-smoothing: antialiased;
}

.dialog {
  position: relative;
  display: flex;
  flex-direction: column;
  width: min(400px, 100%);
  max-height: min(680px, calc(100vh - 32px));
  background: #fff;
  border-radius: 16px;
  box-shadow: 0 24px 64px rgba(0, 0, 0, 0.28);
  overflow: hidden;
}
.dialog:focus { outline: none; }

.bar {
  display: flex;
  align-items: center;
  gap: 8px;
  padding: 14px 14px 6px 20px;
}
.brand {
  display: inline-flex;
  align-items: center;
  gap: 7px;
  font-weight: 800;
  font-size: 15px;
  letter-spacing: 0.14em;
  text-transform: uppercase;
}
.brand svg { width: 22px; height: 22px; }
.badge {
  margin-left: 4px;
  padding: 1px 8px;
  border-radius: 999px;
  background: #eef3ff;
  color: #1d4ed8;
  font-size: 11px;
  font-weight: 600;
  letter-spacing: 0.02em;
}
.close {
  margin-left: auto;
  display: grid;
  place-items: center;
  width: 36px;
  height: 36px;
  border: 0;
  border-radius: 50%;
  background: transparent;
  color: #111;
  cursor: pointer;
}
.close:hover { background: #f2f2f2; }
.close svg { width: 18px; height: 18px; }

.body {
  padding: 8px 24px 20px;
  overflow-y: auto;
}
.pane { display: flex; flex-direction: column; gap: 14px; }

h2 {
  margin: 6px 0 0;
  font-size: 22px;
  line-height: 1.25;
  font-weight: 700;
  letter-spacing: -0.01em;
}
h2:focus { outline: none; }
p { margin: 0; }
.muted { color: #555; }
.small { font-size: 13px; }

.logos {
  display: flex;
  align-items: center;
  justify-content: center;
  gap: 10px;
  margin: 18px 0 4px;
}
.logo-tile {
  display: grid;
  place-items: center;
  width: 56px;
  height: 56px;
  border-radius: 14px;
  background: #111;
  color: #fff;
  font-weight: 700;
  font-size: 22px;
}
.logo-tile.partner { background: #2f6fde; }
.logo-tile svg { width: 30px; height: 30px; }
.dots { color: #bbb; letter-spacing: 3px; font-weight: 700; }

.points { list-style: none; margin: 4px 0; padding: 0; display: grid; gap: 12px; }
.points li { display: grid; grid-template-columns: 28px 1fr; gap: 10px; align-items: start; }
.points .icon {
  display: grid;
  place-items: center;
  width: 28px;
  height: 28px;
  border-radius: 50%;
  background: #f1f1f1;
}
.points .icon svg { width: 15px; height: 15px; }
.points strong { display: block; font-weight: 600; }

.legal { font-size: 12px; color: #666; text-align: center; }

button.primary, button.secondary {
  width: 100%;
  min-height: 48px;
  padding: 12px 16px;
  border-radius: 10px;
  font: inherit;
  font-weight: 600;
  cursor: pointer;
}
button.primary { border: 0; background: #111; color: #fff; }
button.primary:hover { background: #2b2b2b; }
button.secondary { border: 1px solid #d4d4d4; background: #fff; color: #111; }
button.secondary:hover { background: #f7f7f7; }
button:disabled { opacity: 0.55; cursor: progress; }
button:focus-visible, input:focus-visible {
  outline: 3px solid #7aa7ff;
  outline-offset: 2px;
}

form { display: flex; flex-direction: column; gap: 14px; margin: 0; }
label { display: flex; flex-direction: column; gap: 6px; font-weight: 600; font-size: 13px; color: #333; }
input[type='text'], input[type='email'], input[type='date'], input[type='tel'] {
  width: 100%;
  min-height: 44px;
  padding: 10px 12px;
  border: 1px solid #cfcfcf;
  border-radius: 10px;
  background: #fff;
  color: #111;
  font: 400 16px/1.3 inherit;
  font-family: inherit;
}
input:focus { border-color: #111; }
input.code {
  font-size: 26px;
  letter-spacing: 0.45em;
  text-align: center;
  font-variant-numeric: tabular-nums;
}
.hint { font-size: 13px; color: #555; }
.error { font-size: 13px; color: #b42318; font-weight: 500; }
.error:empty { display: none; }

fieldset { margin: 0; padding: 0; border: 0; display: grid; gap: 10px; }
legend {
  margin-bottom: 8px;
  padding: 0;
  font-size: 12px;
  font-weight: 700;
  letter-spacing: 0.06em;
  text-transform: uppercase;
  color: #666;
}
.row { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
.row.three { grid-template-columns: 2fr 1fr 1.3fr; }
.readonly {
  display: flex;
  justify-content: space-between;
  padding: 10px 12px;
  border-radius: 10px;
  background: #f6f6f6;
  font-size: 14px;
}
.accounts { display: grid; gap: 8px; }
.account {
  display: grid;
  grid-template-columns: 20px 1fr;
  gap: 10px;
  align-items: center;
  padding: 12px;
  border: 1px solid #dedede;
  border-radius: 10px;
  font-weight: 400;
  font-size: 14px;
  color: #111;
  cursor: pointer;
}
.account:has(input:checked) { border-color: #111; box-shadow: inset 0 0 0 1px #111; }
.account input { width: 18px; height: 18px; margin: 0; accent-color: #111; }
.account .bank { display: block; font-size: 12px; color: #666; }

.actions {
  position: sticky;
  bottom: -20px;
  display: flex;
  flex-direction: column;
  gap: 8px;
  margin: 0 -24px -20px;
  padding: 16px 24px 20px;
  background: linear-gradient(rgba(255, 255, 255, 0), #fff 24px);
}

.footer {
  display: flex;
  align-items: center;
  justify-content: center;
  gap: 6px;
  padding: 10px 16px 14px;
  font-size: 12px;
  color: #666;
  border-top: 1px solid #f0f0f0;
}
.footer svg { width: 12px; height: 12px; }

.spinner {
  width: 28px;
  height: 28px;
  margin: 40px auto;
  border: 3px solid #e5e5e5;
  border-top-color: #111;
  border-radius: 50%;
  animation: spin 0.8s linear infinite;
}
@keyframes spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
`;
