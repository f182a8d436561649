-- REST dialects on top of Envoy's gRPC-JSON transcoder.
--
-- Requests: tells the server which dialect the caller speaks (header x-rest-dialect) and
-- rewrites bracket filters into the transcoder's dotted query names:
--   filter[agent_name]=x        -> filter.agent_name=x
--   filter[created_at][$gte]=t  -> filter.created_at_gte=t
-- (and evaluation lists' metadata and rollup filters, see rewrite_filter)
-- Responses: the server renders every REST outcome itself (experiment_service/rest/dialects.py)
-- and sends it as headers: x-rest-status (201, 204, 422, ...) and, for errors, x-rest-body
-- (ASCII JSON). This filter applies them, and turns the transcoder's own plain-text errors
-- (malformed JSON, unknown path or query parameter) into the dialect's JSON error body.
--
-- The constants below are written in when the gateway configuration is rendered
-- (experiment_service/rest/gateway.py): the header names, dialect names, path prefix and
-- wrong-type messages from rest/dialects.py, and BODY_FIELDS, the request fields that methods
-- bind their JSON body to (`body: "experiment"`), from the protos' google.api.http annotations.
--[[CONSTANTS]]

local function dialect_of(path)
  if path:sub(1, #INTAKE_PREFIX) == INTAKE_PREFIX then
    return INTAKE
  end
  return PLATFORM
end

local function unescape_brackets(text)
  return (text:gsub("%%5[Bb]", "["):gsub("%%5[Dd]", "]"):gsub("%%24", "$"))
end

-- Evaluation lists also filter by metadata keys and rollups, in either spelling:
--   filter[metadata.team]=x or filter[metadata][team]=x   -> filter.metadata=team=x
--   filter[cost_usd.mean][$lte]=0.5 or filter[cost_usd][mean][$lte]=0.5
--                                                         -> filter.metrics=cost_usd.mean:lte:0.5
local function rewrite_filter(key, value, evaluations)
  local plain = unescape_brackets(key)
  local segments = {}
  for segment in plain:gmatch("%[([^%]]*)%]") do
    segments[#segments + 1] = segment
  end
  if plain:sub(1, 7) ~= "filter[" or #segments == 0 then
    return key .. "=" .. value
  end
  local op
  if segments[#segments]:sub(1, 1) == "$" then
    op = segments[#segments]:sub(2)
    table.remove(segments)
  end
  local path = table.concat(segments, ".")
  local root = path:match("^([^.]*)")
  if evaluations and root == "metadata" and #path > 9 then
    return "filter.metadata=" .. path:sub(10) .. "%3D" .. value
  end
  if evaluations and METRIC_FILTER_ROOTS[root] then
    return "filter.metrics=" .. path .. "%3A" .. (op or "eq") .. "%3A" .. value
  end
  if op then
    return "filter." .. path .. "_" .. op .. "=" .. value
  end
  return "filter." .. path .. "=" .. value
end

-- Python clients (NVIDIA's SDK among them) send datetimes as str() writes them, with a space
-- between date and time ("+" or "%20" in a query); the transcoder reads RFC 3339 only.
local function rfc3339(value)
  local date, rest = value:match("^(%d%d%d%d%-%d%d%-%d%d)%+(%d%d.*)$")
  if not date then
    date, rest = value:match("^(%d%d%d%d%-%d%d%-%d%d)%%20(%d%d.*)$")
  end
  if date then
    return date .. "T" .. rest
  end
  return value
end

local function rewrite_query(path)
  local base, query = path:match("^([^?]*)%?(.*)$")
  if not query then
    return path
  end
  local evaluations = base:match("/evaluations$") ~= nil
  local parts = {}
  for pair in query:gmatch("[^&]+") do
    local key, value = pair:match("^([^=]*)=?(.*)$")
    if key:sub(1, 6) == "filter" then
      pair = rewrite_filter(key, rfc3339(value), evaluations)
    end
    parts[#parts + 1] = pair
  end
  return base .. "?" .. table.concat(parts, "&")
end

-- The methods bound to the path as a set and as an Allow header (ROUTES: one Lua pattern per
-- path template, most literal first, as the transcoder routes), or nil when none matches.
local function allowed_methods(path)
  local bare = path:match("^([^?]*)")
  if #bare > 1 then
    bare = bare:gsub("/$", "")
  end
  for _, route in ipairs(ROUTES) do
    if bare:match(route[1]) then
      local methods = {}
      for method in route[2]:gmatch("[A-Z]+") do
        methods[method] = true
      end
      return methods, route[2]
    end
  end
  return nil, nil
end

function envoy_on_request(handle)
  local headers = handle:headers()
  local path = headers:get(":path")
  local dialect = dialect_of(path)
  local methods, allow = allowed_methods(path)
  if methods and not methods[headers:get(":method")] then
    -- A known path asked with a method it does not serve: 405, with the methods it does.
    local body = dialect == INTAKE and METHOD_NOT_ALLOWED_INTAKE or METHOD_NOT_ALLOWED_PLATFORM
    handle:respond(
      { [":status"] = "405", ["allow"] = allow, ["content-type"] = "application/json" },
      body
    )
    return
  end
  headers:replace(DIALECT_HEADER, dialect)
  headers:replace(":path", rewrite_query(path))
  handle:streamInfo():dynamicMetadata():set(METADATA_NAMESPACE, "dialect", dialect)
end

-- Bytes that are not UTF-8 (a caller's, echoed in an error) become U+FFFD, so that every
-- body is valid JSON text.
local function utf8_only(text)
  if not text:find("[\128-\255]") then
    return text
  end
  local out, i, n = {}, 1, #text
  while i <= n do
    local c = text:byte(i)
    local length = (c < 0x80 and 1) or (c >= 0xC2 and c <= 0xDF and 2)
      or (c >= 0xE0 and c <= 0xEF and 3) or (c >= 0xF0 and c <= 0xF4 and 4) or 0
    local ok = length > 0 and i + length - 1 <= n
    for j = i + 1, ok and i + length - 1 or i do
      local b = text:byte(j)
      if b < 0x80 or b > 0xBF then
        ok = false
      end
    end
    if ok and length >= 3 then
      -- No overlong forms, surrogates or code points past U+10FFFF.
      local b = text:byte(i + 1)
      ok = not ((c == 0xE0 and b < 0xA0) or (c == 0xED and b > 0x9F)
        or (c == 0xF0 and b < 0x90) or (c == 0xF4 and b > 0x8F))
    end
    if ok then
      out[#out + 1] = text:sub(i, i + length - 1)
      i = i + length
    else
      out[#out + 1] = "\\ufffd"
      i = i + 1
    end
  end
  return table.concat(out)
end

local function json_string(text)
  local escaped = text:gsub('[%c"\\]', function(ch)
    local named = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
    return named[ch] or string.format("\\u%04x", ch:byte())
  end)
  return '"' .. utf8_only(escaped) .. '"'
end

-- "experiment.agent_name" -> ["body", "agent_name"]; "sessions[2].cost_usd" ->
-- ["body", "sessions", 2, "cost_usd"]. The request field the body is bound to
-- (`body: "experiment"`) is not part of what REST callers send, so it is dropped.
local function body_loc(field_path)
  local segments = {}
  for segment in field_path:gmatch("[^.]+") do
    segments[#segments + 1] = segment
  end
  if segments[1] and BODY_FIELDS[segments[1]] then
    table.remove(segments, 1)
  end
  local loc = { '"body"' }
  for _, segment in ipairs(segments) do
    local name = segment:match("^([^%[]+)")
    loc[#loc + 1] = json_string(name)
    for index in segment:gmatch("%[(%d+)%]") do
      loc[#loc + 1] = index
    end
  end
  return "[" .. table.concat(loc, ", ") .. "]"
end

-- The field a transcoder message is about, and its wrong-type entry (type, msg) when it says
-- which: "for type TYPE_STRING", a well-known type ("...google.protobuf.Timestamp"), or an
-- object where a scalar belongs ("Starting an object on a scalar field for type <field>").
local function wrong_type(field, problem)
  local scalar = problem:match("Starting an object on a scalar field for type ([%w_]+)")
  if scalar then
    field = field ~= "" and (field .. "." .. scalar) or scalar
    local kind = WRONG_TYPE_ERRORS[SCALAR_FIELD_TYPES[scalar] or ""]
    return field, kind or WRONG_TYPE_ERRORS.OBJECT_ON_SCALAR
  end
  if problem:find("Proto field is not repeating, cannot start list", 1, true) then
    return field, WRONG_TYPE_ERRORS.LIST_ON_SCALAR
  end
  local well_known = problem:match("for type type%.googleapis%.com/google%.protobuf%.(%w+)")
  if well_known then
    return field, WRONG_TYPE_ERRORS[well_known]
  end
  return field, WRONG_TYPE_ERRORS[problem:match("for type (TYPE_%u+)") or ""]
end

-- "dataset.name" -> "name"; "workflows[1].config" -> "workflows.1.config": the platform's
-- field-keyed 400 bodies name what the caller sent.
local function platform_key(field_path)
  local dotted = field_path:gsub("%[(%d+)%]", ".%1")
  local head, rest = dotted:match("^([^.]+)%.(.+)$")
  if head and BODY_FIELDS[head] then
    return rest
  end
  return dotted
end

-- Envoy's own answers when the gRPC server is unreachable, resets the call or does not answer
-- in time: the server's failure, said as such, never as a fault of the request.
local UPSTREAM_FAILURES = {
  ["502"] = "The service sent an invalid answer",
  ["503"] = "The service is unavailable",
  ["504"] = "The service did not answer in time",
}

-- The transcoder's own errors, for requests it could not hand to the server, and Envoy's
-- upstream failures.
local function transcoder_error(dialect, status, message)
  local failure = UPSTREAM_FAILURES[status]
  if failure then
    return status, '{"detail": ' .. json_string(failure .. " (" .. message .. ").") .. "}"
  end
  if status == "404" then
    return "404", NOT_FOUND_BODY
  end
  if status == "413" then
    return "413", '{"detail": "The request body is larger than the service accepts."}'
  end
  local unknown, in_type = message:match('^Could not find field "([^"]+)" in the type "([^"]+)"')
  if unknown then
    local name = in_type:match("Filter$") and ("filter[" .. unknown .. "]") or unknown
    return "400", '{"detail": ' .. json_string("Unknown query parameter '" .. name .. "'.") .. "}"
  end
  local field, problem = message:match("^([%w_%.%[%]]*): (.+)$")
  local kind
  if field then
    field, kind = wrong_type(field, problem)
  end
  if dialect == INTAKE then
    if field == "" then
      kind = WRONG_TYPE_ERRORS.TYPE_MESSAGE
      return "422", '{"detail": [{"loc": ["body"], "msg": ' .. json_string(kind[2])
        .. ', "type": ' .. json_string(kind[1]) .. "}]}"
    elseif field and kind then
      return "422", '{"detail": [{"loc": ' .. body_loc(field) .. ', "msg": '
        .. json_string(kind[2]) .. ', "type": ' .. json_string(kind[1]) .. "}]}"
    elseif field then
      return "422", '{"detail": [{"loc": ' .. body_loc(field) .. ', "msg": '
        .. json_string(problem) .. ', "type": "invalid_type"}]}'
    end
    return "422",
      '{"detail": [{"loc": ["body"], "msg": ' .. json_string("JSON decode error: " .. message)
        .. ', "type": "json_invalid"}]}'
  end
  if field and field ~= "" and not BODY_FIELDS[field] then
    return "400", "{" .. json_string(platform_key(field)) .. ": ["
      .. json_string(kind and kind[2] or problem) .. "]}"
  elseif kind then
    return "400", '{"detail": ' .. json_string(kind[2] .. " (in the request body).") .. "}"
  end
  return "400", '{"detail": ' .. json_string("JSON parse error - " .. message) .. "}"
end

local function replace_body(handle, headers, status, body)
  headers:replace(":status", status)
  -- body(true) wraps even a header-only response, so that a body can be given to it.
  if body == nil then
    headers:remove("content-type")
    headers:remove("content-length")
    handle:body(true):setBytes("")
    return
  end
  headers:replace("content-type", "application/json")
  headers:replace("content-length", tostring(#body))
  handle:body(true):setBytes(body)
end

local function strip_internal_headers(headers)
  local names = {}
  for name, _ in pairs(headers) do
    if name:sub(1, 5) == "grpc-" or name:sub(1, #INTERNAL_HEADER_PREFIX) == INTERNAL_HEADER_PREFIX then
      names[#names + 1] = name
    end
  end
  for _, name in ipairs(names) do
    headers:remove(name)
  end
end

-- The transcoder prints a message as {"<field>":<value>}; the REST body is <value>.
local function unwrap_body(handle, field)
  local buffered = handle:body(true)
  local text = buffered:getBytes(0, buffered:length())
  local prefix = '{"' .. field .. '":'
  if text:sub(1, #prefix) == prefix and text:sub(-1) == "}" then
    local inner = text:sub(#prefix + 1, -2)
    local headers = handle:headers()
    headers:replace("content-length", tostring(#inner))
    buffered:setBytes(inner)
  end
end

function envoy_on_response(handle)
  local headers = handle:headers()
  local status = headers:get(STATUS_HEADER)
  local body = headers:get(BODY_HEADER)
  local unwrap = headers:get(UNWRAP_HEADER)
  local upstream_status = headers:get(":status")
  local content_type = headers:get("content-type") or ""
  strip_internal_headers(headers)
  if body ~= nil then
    replace_body(handle, headers, status, body)
  elseif status == "204" then
    replace_body(handle, headers, status, nil)
  elseif status ~= nil then
    headers:replace(":status", status)
  elseif unwrap ~= nil and upstream_status == "200" then
    unwrap_body(handle, unwrap)
  elseif upstream_status ~= "200" and content_type:find("text/plain", 1, true) then
    local meta = handle:streamInfo():dynamicMetadata():get(METADATA_NAMESPACE) or {}
    local buffered = handle:body(true)
    local message = buffered:getBytes(0, buffered:length())
    local new_status, new_body = transcoder_error(meta.dialect or PLATFORM, upstream_status, message)
    -- Buffering the body invalidates the first headers handle; take a fresh one.
    replace_body(handle, handle:headers(), new_status, new_body)
  end
end
