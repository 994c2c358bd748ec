/** The report page's stylesheet: inline, system fonts only, so the page needs nothing external. */
export const STYLE = `
:root { --ink:#1f2933; --muted:#616e7c; --line:#d9e2ec; --bg:#f5f7fa; --card:#fff;
  --ok:#2f9e8f; --bad:#d64545; --unk:#9aa5b1; --alloc:#3b6fb6; --free:#dbe7f5; --use:#e8a33d; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
  font:14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; }
header { background:#243b53; color:#fff; padding:18px 32px; }
header h1 { margin:0 0 4px; font-size:22px; font-weight:600; }
header p { margin:0; color:#bcccdc; font-size:13px; }
main { max-width:1100px; margin:0 auto; padding:20px 24px 48px; }
section.cell { background:var(--card); border:1px solid var(--line); border-radius:8px;
  padding:18px 22px; margin:20px 0; }
h2 { font-size:19px; margin:0 0 12px; }
h3 { font-size:15px; margin:20px 0 8px; color:#334e68; }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { text-align:left; padding:5px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#f0f4f8; font-weight:600; color:#334e68; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
.note { color:var(--muted); font-size:12.5px; margin:6px 0; }
.badge { display:inline-block; padding:1px 7px; border-radius:10px; font-size:12px; font-weight:600; color:#fff; }
.badge.ok { background:var(--ok); } .badge.bad { background:var(--bad); } .badge.unk { background:var(--unk); }
.code { font-family:ui-monospace, "DejaVu Sans Mono", monospace; font-size:12px; }
.legend span { display:inline-block; margin-right:14px; font-size:12px; color:var(--muted); }
.legend i { display:inline-block; width:10px; height:10px; margin-right:4px; vertical-align:-1px; border-radius:2px; }
.grid2 { display:grid; grid-template-columns:1fr 1fr; gap:8px 24px; }
.better { color:var(--ok); font-weight:600; } .worse { color:var(--bad); font-weight:600; }
svg { display:block; max-width:100%; height:auto; }
svg text { font-family:inherit; }
`;
