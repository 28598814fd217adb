# Waiting for an HTTP server to really answer (sourced by scripts/n8n-queue-mode.sh; tested by
# test/package/wait-http.test.ts). Needs bash, curl and node.
#
# A server that is up is not always ready: n8n answers /healthz before its REST routes are mounted, and until then
# Express answers every /rest/... request with an HTML "Cannot POST /rest/login" page. Only a JSON body with one of
# the expected statuses counts as an answer.

# http_json_answer METHOD URL "STATUSES" [BODY]: 0 when URL answers with one of STATUSES (space-separated) and a JSON
# body (application/json that parses); prints the body then. Cookies: the curl cookie jar in $JAR, when set.
http_json_answer() {
  local method=$1 url=$2 statuses=$3 body=${4:-} out meta code type
  local -a jar=()
  [ -n "${JAR:-}" ] && jar=(-b "$JAR" -c "$JAR")
  out=$(curl -sS -m 5 "${jar[@]}" -X "$method" -H 'Content-Type: application/json' ${body:+--data "$body"} \
    -w '\n%{http_code} %{content_type}' "$url" 2>/dev/null) || return 1
  meta=${out##*$'\n'}
  out=${out%$'\n'*}
  code=${meta%% *}
  type=${meta#* }
  case " $statuses " in *" $code "*) ;; *) return 1 ;; esac
  case "$type" in application/json*) ;; *) return 1 ;; esac
  printf '%s' "$out" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{JSON.parse(s)}catch{process.exit(1)}})' || return 1
  printf '%s' "$out"
}

# wait_for_json_answer WHAT SECONDS METHOD URL "STATUSES" [BODY]: polls every $WAIT_INTERVAL seconds (default 1)
# until http_json_answer succeeds (0) or SECONDS have passed (1, with a message on stderr naming WHAT and the last
# answer seen).
wait_for_json_answer() {
  local what=$1 secs=$2; shift 2
  local interval=${WAIT_INTERVAL:-1} deadline last
  deadline=$(( $(date +%s%N) / 1000000 + secs * 1000 ))
  while :; do
    http_json_answer "$@" >/dev/null && return 0
    if [ $(( $(date +%s%N) / 1000000 )) -ge "$deadline" ]; then
      last=$(curl -sS -m 5 -X "$1" -H 'Content-Type: application/json' ${4:+--data "$4"} -w ' (HTTP %{http_code}, %{content_type})' "$2" 2>&1 | tr '\n' ' ' | cut -c1-300)
      printf 'timed out after %ss waiting for %s; last answer: %s\n' "$secs" "$what" "$last" >&2
      return 1
    fi
    sleep "$interval"
  done
}
