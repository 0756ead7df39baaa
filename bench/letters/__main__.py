from bench.letters.run import main

main()
