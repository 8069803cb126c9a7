#!/bin/bash
N=$1; shift
export ORDERS_TABLE_NAME=o OUTBOX_TABLE_NAME=o IDEMPOTENCY_TABLE_NAME=i PAYMENTS_TABLE_NAME=p INVENTORY_TABLE_NAME=i NOTIFICATIONS_TABLE_NAME=n EVENTS_TOPIC_ARN=arn:aws:sns:us-east-1:0:t AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=a AWS_SECRET_ACCESS_KEY=b AWS_EXECUTION_ENV=AWS_Lambda_nodejs24.x AWS_LAMBDA_FUNCTION_NAME=f LAMBDA_TASK_ROOT=/tmp POWERTOOLS_SERVICE_NAME=s NODE_OPTIONS=${NODE_OPTIONS_OVERRIDE---enable-source-maps}
NODE=/work/main/node_modules/node/bin/node
for d in "$@"; do
  vals=""
  for i in $(seq $N); do vals="$vals $($NODE -e "const c=process.cpuUsage();require('$PWD/out/$d/index.js');const u=process.cpuUsage(c);process.stdout.write(String((u.user+u.system)/1e3))")"; done
  echo "$d cpu median $(echo $vals | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
done
