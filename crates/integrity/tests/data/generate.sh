#!/usr/bin/env bash
# Regenerates the test keys and certificates (throwaway, test-only material).
# Run from this folder: ./generate.sh
set -euo pipefail
key() { openssl ecparam -name "$1" -genkey -noout -out "$2"; }
key prime256v1 p256-sec1.pem
openssl pkcs8 -topk8 -nocrypt -in p256-sec1.pem -out p256-pkcs8.pem
openssl ec -in p256-sec1.pem -pubout -out p256-pub.pem
key secp384r1 p384-sec1.pem
openssl pkcs8 -topk8 -nocrypt -in p384-sec1.pem -out p384-pkcs8.pem
openssl ec -in p384-sec1.pem -pubout -out p384-pub.pem
key prime256v1 other.pem
openssl ec -in other.pem -pubout -out other-pub.pem
rm other.pem
# A root, an intermediate and a code-signing leaf (P-256), and an unrelated root.
ca() { # name subject [issuer-name]
  key prime256v1 "$1.key"
  if [ -z "${3:-}" ]; then
    openssl req -x509 -new -key "$1.key" -subj "/CN=$2" -days 3650 -out "$1.pem" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
  else
    openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr"
    printf "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days 3650 -out "$1.pem" -extfile "$1.ext"
    rm "$1.csr" "$1.ext"
  fi
}
ca root "aigis test root"
ca int "aigis test intermediate" root
ca other-root "unrelated root"
key prime256v1 leaf.key
openssl req -new -key leaf.key -subj "/CN=aigis test signer" -out leaf.csr
printf "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n" > leaf.ext
openssl x509 -req -in leaf.csr -CA int.pem -CAkey int.key -CAcreateserial -days 3650 -out leaf.pem -extfile leaf.ext
rm leaf.csr leaf.ext ./*.srl root.key int.key other-root.key
