package report

import (
	"bytes"
	"cmp"
	"fmt"
	"html/template"
	"io"
	"strings"
	"sync"
	"time"
)

func init() {
	register("html", 70, func(w io.Writer, r *Report, _ Options) error { return WriteHTML(w, r) })
}

// WriteHTML renders r as one self-contained HTML page that works from
// file:// with no network: inline CSS and JavaScript, charts as inline SVG,
// no font, image or script from elsewhere (a Content-Security-Policy meta
// tag forbids any). It holds summary cards by severity, the per-repository
// table (sortable by column; filterable by severity, advisory, status and
// text), every finding with its dependency path, evidence, scope and
// baseline status (one element per finding, carrying
// data-finding-id="<id>"), each advisory with its remediation steps and
// exposure window, name collisions, and every input that could not be read.
// It prints readably (filters hidden, every finding shown). Values from
// lockfiles and feeds are escaped by html/template; links are made only of
// http(s) references. The output depends only on r. It writes to w once,
// at the end, and returns the first error from w.
func WriteHTML(w io.Writer, r *Report) error {
	var b bytes.Buffer
	if err := htmlTemplate().Execute(&b, htmlData(r)); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

type htmlCard struct {
	Severity string
	Count    int
	Width    int // of the bar in the chart, in SVG units
	Y        int
}

type htmlFinding struct {
	Finding
	Location, PackageAt, Scope, PathText, StatusText, Advisory string
	Collision                                                  bool
}

type htmlAdvisory struct {
	Advisory
	Remediation []string
	Covers      string
	Exposure    string
	Links       []string // http(s) references
	Other       []string // references that are not http(s)
}

type htmlPage struct {
	Title, Tool, When, Roots string
	Warnings                 []string
	Cards                    []htmlCard
	Total                    int
	Repos                    []RepoLine
	Findings                 []htmlFinding
	Advisories               []htmlAdvisory
	AdvisoryIDs              []string
	Statuses                 []string
	Errors                   []string
	Feeds                    []string
	Also                     string // the rows that are not findings to act on
	Publisher                string
	Supplier                 string // supplier coverage of the SBOMs written, "" when none
}

func htmlData(r *Report) *htmlPage {
	active, collisions, resolved := splitFindings(r.Findings)
	pg := &htmlPage{Total: len(active)}
	pg.Title = "depsweep report: " + cond(len(active) > 0, plural(len(active), "finding", "findings"), "no findings")
	pg.Tool = strings.TrimSpace(cmp.Or(r.Tool.Name, "depsweep") + " " + r.Tool.Version)
	if !r.Started.IsZero() {
		pg.When = r.Started.UTC().Format("2006-01-02 15:04 UTC")
	}
	pg.Roots = strings.Join(r.Roots, ", ")
	if r.Interrupted {
		pg.Warnings = append(pg.Warnings, "The scan was interrupted: inputs after that point were not checked.")
	}
	if n := max(len(allErrors(r)), r.Summary.Errors); n > 0 {
		pg.Warnings = append(pg.Warnings, fmt.Sprintf("The result is incomplete: %s could not be read (see Errors).", plural(n, "input", "inputs")))
	}
	if c := r.Summary.Publisher; c.Packages > c.Known {
		w := publisherWarning(c)
		pg.Warnings = append(pg.Warnings, strings.ToUpper(w[:1])+w[1:]+".")
	}
	if c := r.Summary.Supplier; c != nil && c.Packages > 0 {
		pg.Supplier = supplierLine(*c, c.Sources)
	}
	if c := r.Summary.Publisher; c.Packages > 0 {
		pg.Publisher = fmt.Sprintf("%d of %d packages", c.Known, c.Packages)
		if len(c.Sources) > 0 {
			pg.Publisher += " (" + strings.Join(c.Sources, ", ") + ")"
		}
	}
	maxCount := 1
	for _, s := range severities {
		maxCount = max(maxCount, r.Summary.BySeverity[s])
	}
	for i, s := range severities {
		n := r.Summary.BySeverity[s]
		pg.Cards = append(pg.Cards, htmlCard{Severity: s, Count: n, Width: n * 200 / maxCount, Y: i * 22})
	}
	pg.Repos = RepoLines(r)
	statuses := map[string]bool{}
	advIDs := map[string]bool{}
	for _, list := range [][]Finding{active, collisions, resolved} {
		for _, f := range list {
			hf := htmlFinding{Finding: f, Location: location(f), PackageAt: f.Package.Name + "@" + f.Package.Version,
				Scope: scopeOf(f.Package), Collision: f.Collision, Advisory: f.Advisory.ID}
			if f.Package.Direct {
				hf.Scope += ", direct"
			}
			hf.PathText = strings.Join(f.Path, " → ")
			if hf.PathText == "" {
				hf.PathText = "unknown"
			}
			hf.StatusText = cmp.Or(f.Status, "—")
			if f.Collision {
				hf.StatusText = "name collision"
			}
			if sp := f.Suppressed; sp != nil {
				hf.StatusText += " (suppressed: " + suppressedText(sp) + ")"
			}
			statuses[cmp.Or(f.Status, "none")] = true
			advIDs[f.Advisory.ID] = true
			pg.Findings = append(pg.Findings, hf)
		}
	}
	var also []string
	if n := len(collisions); n > 0 {
		also = append(also, plural(n, "name collision", "name collisions")+" (not malicious: same name, not from a registry)")
	}
	if n := len(resolved); n > 0 {
		also = append(also, plural(n, "finding", "findings")+" resolved since the baseline")
	}
	if len(also) > 0 {
		pg.Also = "Also listed: " + strings.Join(also, "; ") + "."
	}
	pg.Statuses = sortedKeys(statuses)
	pg.AdvisoryIDs = sortedKeys(advIDs)
	for _, g := range groupAdvisories(active, collisions) {
		ha := htmlAdvisory{Advisory: g.adv, Remediation: g.remediation,
			Covers: plural(g.findings, "finding", "findings") + " in " + plural(len(g.repos), "repository", "repositories")}
		if g.adv.Exposure != nil {
			ha.Exposure = exposure(g.adv.Exposure)
		}
		for _, ref := range g.adv.References {
			if firstHTTP([]string{ref}) != "" {
				ha.Links = append(ha.Links, ref)
			} else {
				ha.Other = append(ha.Other, ref)
			}
		}
		pg.Advisories = append(pg.Advisories, ha)
	}
	for _, e := range allErrors(r) {
		pg.Errors = append(pg.Errors, errorLine(e))
	}
	for _, lf := range partlyRead(r) {
		pg.Errors = append(pg.Errors, fmt.Sprintf("%s: %s skipped, those packages were not checked", lf.Path, plural(len(lf.Problems), "entry", "entries")))
	}
	for _, f := range r.Feeds {
		pg.Feeds = append(pg.Feeds, feedLine(f))
	}
	return pg
}

// htmlTemplate is the page's template, parsed on first use: parsed at
// start-up, it cost every command about a millisecond.
var htmlTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(template.FuncMap{
		"join": strings.Join,
		"date": func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.UTC().Format(time.DateOnly)
		},
		"upper": strings.ToUpper,
	}).Parse(htmlSource))
})

const htmlSource = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}}</title>
<style>
:root { --critical:#b3001b; --high:#e4572e; --medium:#d99a00; --low:#2a7ab0; --info:#777; --bg:#fff; --fg:#1d1d1f; --muted:#666; --line:#ddd; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; padding: 24px; max-width: 1400px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.meta { color: var(--muted); margin-bottom: 12px; }
.warn { background: #fff4e5; border-left: 4px solid var(--medium); padding: 8px 12px; margin: 8px 0; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; align-items: stretch; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 120px; border-top: 4px solid var(--sev); }
.card .n { font-size: 28px; font-weight: 700; } .card .l { color: var(--muted); text-transform: uppercase; font-size: 12px; }
.sev-critical { --sev: var(--critical); } .sev-high { --sev: var(--high); } .sev-medium { --sev: var(--medium); } .sev-low { --sev: var(--low); } .sev-info { --sev: var(--info); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; color: #fff; background: var(--sev, var(--info)); font-size: 12px; font-weight: 600; text-transform: uppercase; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #f6f6f8; position: sticky; top: 0; }
th.sortable { cursor: pointer; user-select: none; } th.sortable::after { content: " ↕"; color: #aaa; }
th[aria-sort="ascending"]::after { content: " ↑"; color: var(--fg); } th[aria-sort="descending"]::after { content: " ↓"; color: var(--fg); }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; overflow-wrap: anywhere; }
.filters { display: flex; gap: 12px; flex-wrap: wrap; align-items: center; background: #f6f6f8; padding: 10px; border-radius: 8px; position: sticky; top: 0; z-index: 2; }
.filters label { font-weight: 600; } .filters input[type=search] { min-width: 240px; }
.count { color: var(--muted); }
.advisory { border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; margin: 12px 0; }
.advisory h3 { margin: 0 0 6px; font-size: 16px; }
ol.remediation li { margin: 3px 0; }
.muted { color: var(--muted); }
svg text { font: 12px system-ui, sans-serif; }
[hidden] { display: none !important; }
@media print {
  body { padding: 0; max-width: none; font-size: 11px; }
  .filters { display: none; }
  tr[hidden] { display: table-row !important; }
  th { position: static; }
  .advisory, tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  a[href]::after { content: " (" attr(href) ")"; font-size: 10px; color: var(--muted); }
}
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
<div class="meta">Scanned by {{.Tool}}{{if .When}} on {{.When}}{{end}}{{if .Roots}} over <code>{{.Roots}}</code>{{end}}.</div>
{{range .Warnings}}<div class="warn" role="alert">{{.}}</div>
{{end}}</header>

<section id="summary">
<h2>Summary</h2>
<div class="cards">
{{range .Cards}}<div class="card sev-{{.Severity}}" data-severity-card="{{.Severity}}"><div class="n">{{.Count}}</div><div class="l">{{.Severity}}</div></div>
{{end}}<svg class="chart" role="img" aria-label="findings by severity" width="320" height="112" viewBox="0 0 320 112">
{{range .Cards}}<text x="0" y="{{.Y}}" dy="14">{{.Severity}}</text><rect class="sev-{{.Severity}}" x="70" y="{{.Y}}" width="{{.Width}}" height="16" rx="3" style="fill: var(--sev)"></rect><text x="{{.Width}}" dx="76" y="{{.Y}}" dy="13">{{.Count}}</text>
{{end}}</svg>
</div>
<table class="facts">
{{if .Publisher}}<tr><th scope="row">Publisher data</th><td>{{.Publisher}}</td></tr>{{end}}{{if .Supplier}}
<tr><th scope="row">Supplier data</th><td>{{.Supplier}}</td></tr>{{end}}
{{range .Feeds}}<tr><th scope="row">Feed</th><td><code>{{.}}</code></td></tr>
{{end}}</table>
</section>

<div class="filters" id="filters">
<label for="f-severity">Severity</label>
<select id="f-severity"><option value="">all</option><option value="critical">critical</option><option value="high">high</option><option value="medium">medium</option><option value="low">low</option><option value="info">info</option><option value="high+">high and above</option><option value="medium+">medium and above</option><option value="low+">low and above</option></select>
<label for="f-advisory">Advisory</label>
<select id="f-advisory"><option value="">all</option>{{range .AdvisoryIDs}}<option value="{{.}}">{{.}}</option>{{end}}</select>
<label for="f-status">Status</label>
<select id="f-status"><option value="">all</option>{{range .Statuses}}<option value="{{.}}">{{.}}</option>{{end}}</select>
<label for="f-text">Search</label>
<input type="search" id="f-text" placeholder="repo, package, lockfile…">
<span class="count" id="f-count"></span>
</div>

<section id="repos">
<h2>Affected repositories ({{len .Repos}})</h2>
{{if .Repos}}<table id="repo-table" class="sortable-table">
<thead><tr><th class="sortable" data-key="text">Repository</th><th class="sortable" data-key="text">Remote</th><th class="sortable" data-key="text">Branch</th><th class="sortable" data-key="severity">Worst</th><th class="sortable" data-key="text">Packages</th><th class="sortable" data-key="number">Findings</th><th class="sortable" data-key="number">Lockfiles</th><th class="sortable" data-key="text">Scope</th></tr></thead>
<tbody>
{{range .Repos}}<tr data-repo="{{.Path}}" data-severity="{{.Summary.Severity}}" data-advisories="{{join .Summary.Advisories " "}}"><td><code>{{.Path}}</code></td><td><code>{{.Remote}}</code></td><td><code>{{.Branch}}</code></td><td data-sort="{{.Summary.Severity}}"><span class="badge sev-{{.Summary.Severity}}">{{.Summary.Severity}}</span>{{if .Summary.New}} <span class="muted">({{.Summary.New}} new)</span>{{end}}</td><td><code>{{join .Summary.Packages " "}}</code></td><td>{{.Summary.Findings}}</td><td>{{.Summary.Lockfiles}}</td><td>{{.Summary.Scope}}</td></tr>
{{end}}</tbody>
</table>{{else}}<p>No repository has a finding to act on.</p>{{end}}
</section>

<section id="findings">
<h2>Findings ({{.Total}})</h2>
{{if .Also}}<p class="muted">{{.Also}}</p>{{end}}
{{if .Findings}}<table id="finding-table" class="sortable-table">
<thead><tr><th class="sortable" data-key="severity">Severity</th><th class="sortable" data-key="text">Package</th><th class="sortable" data-key="text">Repo</th><th class="sortable" data-key="text">Lockfile</th><th>Dependency path</th><th>Scope</th><th>Matched</th><th>Evidence</th><th class="sortable" data-key="text">Status</th></tr></thead>
<tbody>
{{range .Findings}}<tr class="finding" data-finding-id="{{.ID}}" data-severity="{{.Severity}}" data-advisory="{{.Advisory}}" data-status="{{if .Status}}{{.Status}}{{else}}none{{end}}" data-repo="{{.Repo}}"><td data-sort="{{.Severity}}"><span class="badge sev-{{.Severity}}">{{.Severity}}</span></td><td><code>{{.PackageAt}}</code>{{if .Package.Alias}} <span class="muted">as</span> <code>{{.Package.Alias}}</code>{{end}}</td><td><code>{{.Repo}}</code>{{if .Branch}} <span class="muted">on</span> <code>{{.Branch}}</code>{{end}}</td><td><code>{{.Location}}</code></td><td><code>{{.PathText}}</code></td><td>{{.Scope}}</td><td>{{.Indicator.Kind}} <code>{{.Indicator.Value}}</code><br><span class="muted">{{.Advisory}}</span></td><td>{{.Evidence}}</td><td>{{.StatusText}}</td></tr>
{{end}}</tbody>
</table>{{else}}<p>No findings.</p>{{end}}
</section>

{{if .Advisories}}<section id="advisories">
<h2>Advisories ({{len .Advisories}})</h2>
{{range .Advisories}}<article class="advisory" data-advisory="{{.ID}}">
<h3>{{.ID}}{{if .Title}}: {{.Title}}{{end}}</h3>
<p class="muted">Covers {{.Covers}}.{{if .Aliases}} Also known as {{join .Aliases ", "}}.{{end}}{{if .Published}} Published {{date .Published}}.{{end}}</p>
{{if .Summary}}<p>{{.Summary}}</p>{{end}}
{{if .Exposure}}<p><strong>Exposure window:</strong> {{.Exposure}}.</p>{{end}}
{{if .Remediation}}<p><strong>Remediation</strong></p>
<ol class="remediation">{{range .Remediation}}<li>{{.}}</li>{{end}}</ol>{{end}}
{{if or .Links .Other}}<p><strong>References</strong></p>
<ul>{{range .Links}}<li><a href="{{.}}" rel="noopener noreferrer">{{.}}</a></li>{{end}}{{range .Other}}<li><code>{{.}}</code></li>{{end}}</ul>{{end}}
</article>
{{end}}</section>{{end}}

{{if .Errors}}<section id="errors">
<h2>Errors ({{len .Errors}}): not checked, the result is incomplete</h2>
<ul>{{range .Errors}}<li><code>{{.}}</code></li>{{end}}</ul>
</section>{{end}}

<script>
(function () {
  "use strict";
  var rank = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };
  var sev = document.getElementById("f-severity");
  var adv = document.getElementById("f-advisory");
  var st = document.getElementById("f-status");
  var text = document.getElementById("f-text");
  var count = document.getElementById("f-count");
  function rows(id) {
    var t = document.getElementById(id);
    return t ? Array.prototype.slice.call(t.tBodies[0].rows) : [];
  }
  function apply() {
    // "medium" is medium only, "medium+" medium and above.
    var atLeast = sev.value.slice(-1) === "+";
    var min = sev.value === "" ? -1 : rank[atLeast ? sev.value.slice(0, -1) : sev.value];
    var a = adv.value, s = st.value, q = text.value.trim().toLowerCase();
    var shown = 0, all = 0;
    var repos = {};
    rows("finding-table").forEach(function (tr) {
      var r = rank[tr.dataset.severity];
      if (r === undefined) { r = -1; }
      var ok = (min < 0 || (atLeast ? r >= min : r === min)) &&
        (a === "" || tr.dataset.advisory === a) &&
        (s === "" || tr.dataset.status === s) &&
        (q === "" || tr.textContent.toLowerCase().indexOf(q) >= 0);
      tr.hidden = !ok;
      all++;
      if (ok) { shown++; repos[tr.dataset.repo] = true; }
    });
    rows("repo-table").forEach(function (tr) {
      tr.hidden = !repos[tr.dataset.repo];
    });
    count.textContent = shown + " of " + all + " findings shown";
  }
  function sortBy(th) {
    var table = th.closest("table");
    var idx = Array.prototype.indexOf.call(th.parentNode.children, th);
    var asc = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(th.parentNode.children, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var key = th.dataset.key;
    var body = table.tBodies[0];
    var list = Array.prototype.slice.call(body.rows);
    function val(tr) {
      var td = tr.cells[idx];
      var v = td.dataset.sort !== undefined ? td.dataset.sort : td.textContent.trim();
      if (key === "severity") { return rank[v] === undefined ? -1 : rank[v]; }
      if (key === "number") { return parseFloat(v) || 0; }
      return v.toLowerCase();
    }
    list.sort(function (x, y) {
      var a = val(x), b = val(y);
      var c = a < b ? -1 : a > b ? 1 : 0;
      return asc ? c : -c;
    });
    list.forEach(function (tr) { body.appendChild(tr); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("th.sortable"), function (th) {
    th.addEventListener("click", function () { sortBy(th); });
  });
  [sev, adv, st].forEach(function (el) { el.addEventListener("change", apply); });
  text.addEventListener("input", apply);
  apply();
})();
</script>
</body>
</html>
`
