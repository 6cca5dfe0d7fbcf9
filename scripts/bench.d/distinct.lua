-- wrk: every request a different URI (a counter in the query), so no answer comes from the
-- aggregator's one-second response cache: the cost of rendering each page afresh.
counter = 0
request = function()
   counter = counter + 1
   local separator = string.find(wrk.path, "?", 1, true) and "&" or "?"
   return wrk.format(nil, wrk.path .. separator .. "n=" .. counter)
end
