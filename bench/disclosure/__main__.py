from bench.disclosure.run import main

main()
