" PG32 assembly (trapeze): *.pg32 files, and *.s / *.inc files that use
" the trapeze headers or sit in a trapeze tree.  Elsewhere, `:set ft=pg32`
" or a modeline `# vim: ft=pg32` selects it.
autocmd BufRead,BufNewFile *.pg32 setfiletype pg32
autocmd BufRead,BufNewFile *.s,*.inc
      \ if expand('<afile>:p') =~# '/trapeze/' || search('pg32\.inc', 'nw')
      \ |   set filetype=pg32
      \ | endif
