/// The program the agent runs with `python3 -c` for each `[[module]]`: it imports one gmond
/// Python module and answers the agent's requests over its standard input and output
/// (`ModuleProtocol`, `docs/plugins.md`). The module's own prints go to standard error (the
/// protocol keeps the real standard output to itself), so a chatty module can't corrupt it.
enum PythonHost {
    static let script = #"""
        import importlib, os, sys, traceback

        def esc(value):
            text = value if isinstance(value, str) else str(value)
            return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")

        def unesc(field):
            out, i = [], 0
            while i < len(field):
                c = field[i]
                if c == "\\" and i + 1 < len(field):
                    i += 1
                    c = {"t": "\t", "n": "\n", "r": "\r"}.get(field[i], field[i])
                out.append(c)
                i += 1
            return "".join(out)

        protocol = os.fdopen(os.dup(1), "w", encoding="utf-8", errors="replace")
        os.dup2(2, 1)
        sys.stdout = sys.stderr

        def send(*fields):
            protocol.write("\t".join(esc(f) for f in fields) + "\n")

        def text_of(value):
            if isinstance(value, bytes):
                return value.decode("utf-8", "replace")
            if isinstance(value, float):
                return repr(value)
            return str(value)

        def described(error):
            frames = traceback.extract_tb(error.__traceback__)
            where = ""
            if frames:
                last = frames[-1]
                where = " (%s, line %d, in %s)" % (os.path.basename(last.filename), last.lineno, last.name)
            return type(error).__name__ + ": " + str(error) + where

        def main():
            name, path = sys.argv[1], sys.argv[2]
            sys.path.insert(0, path)
            params, descriptors, module = {}, [], None
            for line in sys.stdin:
                fields = [unesc(f) for f in line.rstrip("\n").split("\t")]
                command = fields[0]
                if command == "P" and len(fields) == 3:
                    params[fields[1]] = fields[2]
                elif command == "INIT":
                    try:
                        module = importlib.import_module(name)
                        descriptors = list(module.metric_init(params) or [])
                        for d in descriptors:
                            send("D", d.get("name", ""), d.get("value_type", "uint"), d.get("units", ""), d.get("slope", "both"),
                                 d.get("format", ""), d.get("time_max", 60), d.get("description", ""), d.get("groups", ""),
                                 d.get("title", ""))
                    except BaseException as error:
                        send("E", "metric_init failed: " + described(error))
                    send("END")
                elif command == "COLLECT":
                    for d in descriptors:
                        try:
                            value = d["call_back"](d["name"])
                            if value is not None:
                                send("V", d["name"], text_of(value))
                        except BaseException as error:
                            send("X", d.get("name", ""), described(error))
                    send("END")
                elif command == "STOP":
                    cleanup = getattr(module, "metric_cleanup", None)
                    if cleanup is not None:
                        try:
                            cleanup()
                        except BaseException:
                            pass
                    send("END")
                    protocol.flush()
                    return
                protocol.flush()

        main()
        """#
}
