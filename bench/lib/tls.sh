# Sourced by the proxy benchmarks: bench_tls DIR issues, with openssl, one throwaway CA and (P-256 keys, 2 days)
#   DIR/ca.pem, ca-key.pem          the CA
#   DIR/server.pem, server-key.pem  CN=localhost, SAN IP:127.0.0.1 and DNS:localhost, server and client auth
#   DIR/client.pem, client-key.pem  CN=local-cluster1 (the identity mesh-proxy gives its own cluster's agents)
#   DIR/upstream.pem, -key.pem      O=bench-proxy without a CN (etcd grpc-proxy 3.4 refuses a backend
#                                   certificate that has one), client auth: the proxies' link to etcd
bench_tls() {
  local dir=$1
  mkdir -p "$dir"
  _bench_ec() {
    openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -keyout "$dir/$1-key.pem" -subj "$2" "${@:3}"
  }
  _bench_sign() {
    _bench_ec "$1" "$2" -out "$dir/$1.csr" 2>/dev/null
    openssl x509 -req -in "$dir/$1.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -CAcreateserial -days 2 \
      -out "$dir/$1.pem" -extfile <(printf '%s\n' "$3" "keyUsage=critical,digitalSignature") 2>/dev/null
  }
  _bench_ec ca /CN=bench-ca -x509 -days 2 -out "$dir/ca.pem" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  _bench_sign server /CN=localhost "subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth,clientAuth"
  _bench_sign client /CN=local-cluster1 "extendedKeyUsage=clientAuth"
  _bench_sign upstream /O=bench-proxy "extendedKeyUsage=clientAuth"
}
