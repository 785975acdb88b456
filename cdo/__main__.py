from cdo.cli import main

main()
