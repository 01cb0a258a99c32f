-- wrk script for benches/intake.sh: POST /api/v1/complaints with the body of
-- tests/api/fixtures.rs complaint() and the bearer token in WQ_TOKEN; counts the answers that are
-- not 201 Created (and prints the first two).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("WQ_TOKEN")
wrk.body = '{"description":"被请求人未经许可，在其网店许诺销售与涉案专利相同的锂电池隔膜。",'
  .. '"channel":"e_commerce","region_code":"320612","complainant_standing":"patentee",'
  .. '"rights":[{"kind":"invention_patent","number":"ZL202310123456.6","title":"一种锂电池隔膜"}],'
  .. '"respondents":[{"name":"某某科技有限公司","address":"江苏省南通市通州区",'
  .. '"listing_url":"https://shop.example.com/item/1"}]}'

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  created = 0
  other = 0
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  else
    other = other + 1
    if other <= 2 then
      io.stderr:write("status " .. status .. ": " .. body .. "\n")
    end
  end
end

function done(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("other")
  end
  io.write(string.format("created %d, other %d\n", c, o))
end
