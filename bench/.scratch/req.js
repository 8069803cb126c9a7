const t = process.hrtime.bigint(); require(process.argv[2]); console.log(Number(process.hrtime.bigint() - t) / 1e6);
