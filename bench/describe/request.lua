-- wrk script of bench/describe.sh: POSTs the EC2 Query form in $WRK_BODY, signed-looking for
-- account 111111111111 in us-east-1 (neither vpcpeer by default nor moto checks the signature).
-- With $WRK_VARY set, each request appends a counter to the body, so that a CreateTags overwrite
-- really changes the tag's value every time.
local body = os.getenv("WRK_BODY")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
wrk.headers["X-Amz-Date"] = "20260101T000000Z"
wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=111111111111/20260101/us-east-1/ec2/aws4_request, "
    .. "SignedHeaders=content-type;host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000"
wrk.body = body
if os.getenv("WRK_VARY") then
    local n = 0
    request = function()
        n = n + 1
        return wrk.format(nil, nil, nil, body .. (n % 997))
    end
end
