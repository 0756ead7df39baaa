from bench.production.run import main

main()
