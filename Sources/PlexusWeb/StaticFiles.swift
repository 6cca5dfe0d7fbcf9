import Hummingbird
import NIOCore

/// The dashboard's only assets: one style sheet and the wall screen's script, served from the
/// binary (no external fonts, scripts or CDNs: it works offline and under a strict CSP).
enum StaticFiles {
    static func add(to router: Routes) {
        for (path, type, body) in [("static/plexus.css", "text/css; charset=utf-8", css), ("static/tv.js", "text/javascript; charset=utf-8", tvScript)] {
            router.get(path) { _, _ in
                Response(status: .ok, headers: [.contentType: type, .cacheControl: "max-age=3600"], body: .init(byteBuffer: ByteBuffer(string: body)))
            }
        }
    }

    static let css = """
        :root { --fg: #1d2330; --muted: #667085; --line: #d8dde6; --bg: #f6f7f9; --alert: #c62828; --ok: #2e7d32; --accent: #2e6db4; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
        header { display: flex; flex-wrap: wrap; gap: .5em 1.5em; align-items: center; padding: .6em 1em; background: #fff; border-bottom: 1px solid var(--line); }
        .brand { font-weight: 700; font-size: 1.2em; color: var(--fg); text-decoration: none; }
        .crumbs { color: var(--muted); }
        .picker { display: flex; flex-wrap: wrap; gap: .3em; align-items: center; margin-left: auto; }
        .picker .range { padding: .15em .5em; border: 1px solid var(--line); border-radius: 3px; text-decoration: none; color: var(--fg); }
        .picker .range.on { background: var(--accent); color: #fff; border-color: var(--accent); }
        main { padding: 1em; }
        a { color: var(--accent); }
        h2 { font-size: 1.1em; margin: 1.2em 0 .5em; }
        .counts { display: flex; gap: 1em; flex-wrap: wrap; margin-bottom: 1em; }
        .count { background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: .5em 1em; color: var(--muted); }
        .count b { display: block; font-size: 1.8em; color: var(--fg); }
        .alert, .count.alert b { color: var(--alert); }
        .graphs { display: flex; flex-wrap: wrap; gap: .4em; }
        .graphs img, .hosts img { display: block; background: #fff; border: 1px solid var(--line); }
        table.rows { border-collapse: collapse; background: #fff; }
        table.rows th, table.rows td { padding: .3em .7em; border-bottom: 1px solid var(--line); text-align: left; }
        tr.cluster-graphs td { padding-bottom: 1em; }
        .facts th { text-align: left; padding-right: 1em; color: var(--muted); font-weight: normal; }
        .hostpicker { display: flex; gap: 1em; flex-wrap: wrap; align-items: center; }
        .note { color: var(--muted); }
        .hosts { display: flex; flex-wrap: wrap; gap: .5em; }
        .host { margin: 0; padding: .3em; background: #fff; border: 1px solid var(--line); border-radius: 4px; }
        .host.down { border: 2px solid var(--alert); background: #fdecea; }
        .host figcaption { font-size: .9em; }
        .nograph { display: block; padding: 2em 1em; }
        .banner { padding: .6em 1em; background: #fdecea; border: 1px solid var(--alert); border-radius: 4px; font-weight: 600; }
        .alerts { margin: .5em 1em; }
        .alerts a.firing { margin-left: .8em; color: var(--alert); }
        .alerts a.firing.critical, .alerts a.firing.page { text-decoration: underline; }
        td.firing, .host .firing { color: var(--alert); font-weight: 700; }
        td.pending, .host .pending { color: #9a6700; }
        .tv .alerts { position: fixed; top: 0; right: 0; z-index: 2; background: #3d1214; color: #ff7b72; border-color: #ff7b72; font-size: .6em; max-width: 60%; }
        .tv .alerts a.firing { color: #ffb3ad; }
        footer { padding: 1em; color: var(--muted); font-size: .85em; }
        body.tv { background: #0d1117; color: #e6edf3; font-size: 28px; height: 100vh; overflow: hidden; }
        .tv .slide { display: none; padding: .5em 1em; }
        .tv .slide.shown { display: block; }
        .tv h1 { font-size: 2em; margin: 0 0 .3em; }
        .tv .tv-counts { font-size: .6em; margin-left: 1em; }
        .tv .up { color: #7ee787; }
        .tv .alert { color: #ff7b72; font-weight: 700; }
        .tv .tv-graphs { display: grid; grid-template-columns: repeat(2, 1fr); gap: .4em; }
        .tv .tv-graphs img { width: 100%; background: #fff; border-radius: 4px; }
        .tv-footer { position: fixed; bottom: 0; right: 0; padding: .3em 1em; color: #8b949e; font-size: .6em; }

        """

    /// Rotates the slides and refreshes the graphs (a cache-busting parameter), then reloads
    /// the whole page every ten minutes so counts and the host list stay current.
    static let tvScript = """
        (function () {
          var body = document.body;
          var rotate = Math.max(5, parseInt(body.dataset.rotate || "20", 10)) * 1000;
          var refresh = Math.max(10, parseInt(body.dataset.refresh || "60", 10)) * 1000;
          var slides = document.querySelectorAll(".slide");
          var current = 0;
          function show(i) {
            slides.forEach(function (s, j) { s.classList.toggle("shown", i === j); });
          }
          if (slides.length) { show(0); }
          if (slides.length > 1) { setInterval(function () { current = (current + 1) % slides.length; show(current); }, rotate); }
          setInterval(function () {
            document.querySelectorAll(".tv-graphs img").forEach(function (img) {
              var url = new URL(img.src);
              url.searchParams.set("t", Date.now().toString());
              img.src = url.toString();
            });
            var clock = document.getElementById("clock");
            if (clock) { clock.textContent = new Date().toLocaleTimeString(); }
          }, refresh);
          setTimeout(function () { location.reload(); }, 600000);
        })();

        """
}
