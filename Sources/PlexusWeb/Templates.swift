/// The pages' Mustache templates, compiled into the binary (no template directory to install
/// or lose). `{{x}}` escapes HTML (`<`, `>`, `&`, `"`, `'`); the only unescaped insertions are
/// `{{{body}}}`, a page this code rendered from these same templates, and the cluster page's
/// `{{{hostList}}}` (its host figures) and `{{{metricOptions}}}`, written with `ByteText`, which
/// escapes as Mustache does (a template per host cost 40 ms for a thousand hosts).
enum Templates {
    static let all: [String: String] = [
        "layout": layout, "grid": grid, "cluster": cluster, "host": host, "metric": metric, "graphs": graphs, "tv": tv,
    ]

    static let layout = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · {{grid}}</title><link rel="stylesheet" href="/static/plexus.css"></head>
        <body>
        <header>
        <a class="brand" href="{{home}}">{{grid}}</a>
        <nav class="crumbs">{{#crumbs}}<a href="{{href}}">{{label}}</a> › {{/crumbs}}<span id="page-title">{{title}}</span></nav>
        <form class="picker" method="get">
        {{#ranges}}<a class="range{{#selected}} on{{/selected}}" href="{{href}}">{{label}}</a>{{/ranges}}
        <label>from <input name="cs" value="{{start}}" placeholder="-6h" size="14"></label>
        <label>to <input name="ce" value="{{end}}" placeholder="now" size="14"></label>
        <select name="z" aria-label="graph size">{{#sizes}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/sizes}}</select>
        {{#keep}}<input type="hidden" name="{{name}}" value="{{value}}">{{/keep}}
        <button>Show</button>
        </form>
        </header>
        {{#alerts}}<section class="banner alert alerts" id="alerts"><b>{{count}} firing</b>{{#firing}} <a class="firing {{severity}}" href="{{href}}" title="{{summary}}">{{name}} · {{subject}}</a>{{/firing}}{{#more}} … and {{more}} more (<a href="/api/v1/alerts">all</a>){{/more}}</section>{{/alerts}}
        <main>
        {{{body}}}
        </main>
        <footer>Plexus · {{now}} · <a href="/tv">wall screen</a> · <a href="/api/v1/grid">JSON</a> · <a href="/metrics">metrics</a></footer>
        </body></html>

        """

    /// A row of report graphs, each linking to a page.
    static let graphs = """
        <section class="graphs">{{#graphs}}<a href="{{link}}"><img src="{{src}}" alt="{{alt}}" loading="lazy"></a>{{/graphs}}</section>
        """

    static let grid = """
        {{#archiveFailing}}<p class="banner alert" id="archive-failing">Archive writes failing since {{since}}: {{error}} (see the log and /status)</p>{{/archiveFailing}}
        <section class="counts">
        <div class="count"><b id="hosts-up">{{up}}</b> hosts up</div>
        <div class="count{{#anyDown}} alert{{/anyDown}}"><b id="hosts-down">{{down}}</b> down</div>
        <div class="count"><b>{{clusterCount}}</b> clusters</div>
        <div class="count"><b>{{cpus}}</b> CPUs</div>
        </section>
        {{> graphs}}
        <h2>Clusters</h2>
        <table class="rows" id="clusters">
        <thead><tr><th>Cluster</th><th>Up</th><th>Down</th><th>CPUs</th><th>Load (mean)</th><th>CPU used</th><th>Memory free</th></tr></thead>
        <tbody>
        {{#clusters}}<tr class="cluster"><td><a href="{{href}}">{{name}}</a></td><td>{{up}}</td><td class="{{#anyDown}}alert{{/anyDown}}">{{down}}</td><td>{{cpus}}</td><td>{{load}}</td><td>{{cpu}}</td><td>{{memory}}</td></tr>
        <tr class="cluster-graphs"><td colspan="7">{{> graphs}}</td></tr>
        {{/clusters}}
        </tbody></table>
        {{#hasGrids}}<h2>Grids</h2>
        <table class="rows" id="grids"><thead><tr><th>Grid</th><th>Up</th><th>Down</th></tr></thead><tbody>
        {{#grids}}<tr><td>{{#link}}<a href="{{link}}">{{name}}</a>{{/link}}{{^link}}{{name}}{{/link}}</td><td>{{up}}</td><td>{{down}}</td></tr>{{/grids}}
        </tbody></table>{{/hasGrids}}
        {{#hasQuarantine}}<h2>Refused at a limit</h2>
        <p>Hosts, metrics and series the aggregator's bounds left out (docs/security.md), the latest first.</p>
        <table class="rows" id="quarantine"><thead><tr><th>What</th><th>Why</th><th>Times</th><th>Last</th></tr></thead><tbody>
        {{#quarantine}}<tr><td>{{subject}}</td><td>{{reason}}</td><td>{{count}}</td><td>{{last}}</td></tr>{{/quarantine}}
        </tbody></table>{{/hasQuarantine}}
        """

    static let cluster = """
        <section class="counts">
        <div class="count"><b id="hosts-up">{{up}}</b> hosts up</div>
        <div class="count{{#anyDown}} alert{{/anyDown}}"><b id="hosts-down">{{down}}</b> down</div>
        <div class="count"><b>{{cpus}}</b> CPUs</div>
        <div class="count"><b>{{load}}</b> mean load</div>
        </section>
        {{#hasAlerts}}<h2>Alerts</h2>
        <table class="rows" id="cluster-alerts"><thead><tr><th>Alert</th><th>State</th><th>Of</th><th>Since</th><th>Value</th><th>Summary</th></tr></thead><tbody>
        {{#alerts}}<tr class="{{state}}"><td>{{name}}</td><td class="{{state}}">{{state}}</td><td><a href="{{href}}">{{subject}}</a></td><td>{{since}}</td><td>{{value}}</td><td>{{summary}}</td></tr>{{/alerts}}
        </tbody></table>{{/hasAlerts}}
        {{> graphs}}
        <h2>Hosts</h2>
        <form class="hostpicker" method="get">
        <label>Metric <select name="m">{{{metricOptions}}}</select></label>
        <label>Sort <select name="s">{{#sorts}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/sorts}}</select></label>
        <label>Hosts <input name="f" value="{{filter}}" placeholder="web-*" size="12"></label>
        {{#keep}}<input type="hidden" name="{{name}}" value="{{value}}">{{/keep}}
        <button>Show</button>
        </form>
        <p class="note">{{shown}} of {{total}} hosts{{#anyDown}}, <span class="alert">{{down}} down</span>{{/anyDown}}</p>
        <div class="hosts" id="hosts">
        {{{hostList}}}
        </div>
        """

    static let host = """
        {{#isDown}}<p class="banner alert">This host is DOWN: not heard for {{silent}}. Its last values are not kept (as gmetad keeps none); its graphs hold its history.</p>{{/isDown}}
        {{#hasAlerts}}<h2>Alerts</h2>
        <table class="rows" id="host-alerts"><thead><tr><th>Alert</th><th>State</th><th>Of</th><th>Since</th><th>Value</th><th>Summary</th></tr></thead><tbody>
        {{#alerts}}<tr class="{{state}}"><td>{{name}}</td><td class="{{state}}">{{state}}</td><td><a href="{{href}}">{{subject}}</a></td><td>{{since}}</td><td>{{value}}</td><td>{{summary}}</td></tr>{{/alerts}}
        </tbody></table>{{/hasAlerts}}
        <table class="facts" id="facts">{{#facts}}<tr><th>{{label}}</th><td>{{value}}</td></tr>{{/facts}}</table>
        {{> graphs}}
        {{#groups}}<h2>{{name}}</h2>
        {{> graphs}}
        {{/groups}}
        {{#hasStrings}}<h2>Text metrics</h2>
        <table class="rows" id="strings">{{#strings}}<tr><th>{{name}}</th><td>{{value}}</td></tr>{{/strings}}</table>{{/hasStrings}}
        """

    static let metric = """
        <p class="note">{{metric}} of {{whose}} over an hour, a day, a week, a month and a year.</p>
        {{> graphs}}
        """

    static let tv = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{grid}} · wall screen</title><link rel="stylesheet" href="/static/plexus.css"></head>
        <body class="tv" data-rotate="{{rotate}}" data-refresh="{{refresh}}">
        {{#alerts}}<section class="banner alert alerts" id="alerts"><b>{{count}} firing</b>{{#firing}} <a class="firing {{severity}}" href="{{href}}" title="{{summary}}">{{name}} · {{subject}}</a>{{/firing}}{{#more}} … and {{more}} more (<a href="/api/v1/alerts">all</a>){{/more}}</section>{{/alerts}}
        {{#slides}}<section class="slide" data-name="{{name}}">
        <h1>{{name}} <span class="tv-counts"><span class="up">{{up}} up</span>{{#anyDown}} <span class="alert">{{down}} down</span>{{/anyDown}}</span></h1>
        <div class="tv-graphs">{{#graphs}}<img src="{{src}}" alt="{{alt}}">{{/graphs}}</div>
        </section>{{/slides}}
        <footer class="tv-footer">{{grid}} · last {{range}} · <span id="clock">{{now}}</span></footer>
        <script src="/static/tv.js"></script>
        </body></html>

        """
}
